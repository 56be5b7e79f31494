using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway;
using Gateway.Cache;
using Gateway.Model;
using Gateway.OpenAi;
using Gateway.Services;
using Gateway.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Catalog;
using Platform.Vectors;

namespace Benchmarks;

/// <summary>
/// The semantic cache's decisions on the labelled pairs of <c>Data/semantic-cache-pairs.json</c> (paraphrases, hard
/// negatives, unrelated questions, follow-ups whose meaning depends on the conversation; ten domains). Pairs with an
/// odd number are the development half (the defaults were chosen on it), even ones the held-out half. Prints, for
/// similarity thresholds with and without the verifier, how many paraphrases hit and how many different questions
/// hit (wrong answers); then every pair through <see cref="SemanticCache"/> on a throwaway redis-server at the
/// defaults (the first question stored with the answer an assistant gave it, the second asked: what the cache
/// decided, and the latency a lookup adds, embedding and verification included).
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- semantic-eval [--show]</c> (<c>--show</c> lists the wrong decisions).
/// </summary>
public static class SemanticCacheEvaluation
{
    public static async Task RunAsync(string[] args)
    {
        var pairs = JsonSerializer.Deserialize<List<LabelledPair>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "semantic-cache-pairs.json")), JsonSerializerOptions.Web)!;
        var defaults = new CacheOptions();
        using var embeddings = new LocalEmbeddingGenerator(Options.Create(new LocalEmbeddingOptions()));
        var verifier = new QuestionVerifier(embeddings, Options.Create(defaults));

        var texts = pairs.SelectMany(p => new[] { p.First, p.Second }).Distinct().ToList();
        var vectors = (await embeddings.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToList();
        var vectorOf = texts.Select((text, i) => (text, i)).ToDictionary(t => t.text, t => vectors[t.i]);
        var judged = new List<Judged>();
        foreach (var pair in pairs)
        {
            var sameSpace = JsonSerializer.Serialize(pair.FirstContext ?? pair.Context) == JsonSerializer.Serialize(pair.SecondContext ?? pair.Context);
            var similarity = TensorPrimitives.Dot(vectorOf[pair.First], vectorOf[pair.Second]);
            judged.Add(new Judged(pair, sameSpace, similarity, await verifier.CompareAsync(pair.Second, pair.First)));
        }
        Console.WriteLine($"{pairs.Count} labelled pairs: {pairs.Count(p => p.Same)} the same question, {pairs.Count(p => !p.Same)} different " +
            $"({string.Join(", ", pairs.GroupBy(p => p.Kind).Select(g => $"{g.Count()} {g.Key}"))}); {pairs.Select(p => p.Domain).Distinct().Count()} domains.");
        Console.WriteLine();
        Console.WriteLine("Decision on the development half (odd ids) and the held-out half (even ids):");
        Console.WriteLine("| threshold | verifier | half | paraphrases hit | context follow-ups hit | hard negatives hit | unrelated hit | other contexts hit | precision | recall |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var threshold in new[] { 0.6f, 0.7f, 0.75f, 0.8f, 0.85f, 0.9f, 0.95f })
        {
            foreach (var verified in new[] { false, true })
            {
                foreach (var (half, members) in Halves(judged))
                {
                    Row(threshold, verified, half, members, j => j.SameSpace && j.Similarity >= threshold && (!verified || j.Refusal is null));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Through the cache at the defaults (threshold {defaults.SemanticThreshold:0.00}, word similarity {defaults.SemanticWordSimilarity:0.00}), on a throwaway redis-server:");
        using var redis = await ThrowawayRedis.StartAsync();
        var catalog = new ModelCatalog(Options.Create(new Dictionary<string, ProviderOptions>()));
        using var cache = new SemanticCache(redis.Connection, catalog, embeddings, verifier, Options.Create(defaults), new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(), NullLogger<SemanticCache>.Instance);
        var orchestrator = new OrchestratorClient(new HttpClient(), catalog);
        var timings = new List<double>();
        var decided = new List<(Judged Judged, bool Hit)>();
        foreach (var item in judged)
        {
            var key = TenantKeyOf(Guid.NewGuid());
            var stored = await cache.QueryForAsync(key, Request(item.Pair.FirstContext ?? item.Pair.Context, item.Pair.First), "exact", orchestrator, new UsageRecord(), default);
            cache.Store(stored!, new ChatResponse(new ChatMessage(ChatRole.Assistant, item.Pair.Answer)));
            while (await redis.Connection.GetDatabase().ListLengthAsync(stored!.Space) == 0)
            {
                await Task.Delay(1);
            }
            var start = Stopwatch.GetTimestamp();
            var asked = await cache.QueryForAsync(key, Request(item.Pair.SecondContext ?? item.Pair.Context, item.Pair.Second), "exact", orchestrator, new UsageRecord(), default);
            var hit = await cache.GetAsync(asked!) is not null;
            timings.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            decided.Add((item, hit));
        }
        foreach (var (half, members) in Halves(decided.Select(d => d.Judged)))
        {
            Row(defaults.SemanticThreshold, true, half, members, j => decided.First(d => d.Judged == j).Hit);
        }
        timings.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Lookup (embedding, search, verification; the first of each pair stored): p50 {timings[timings.Count / 2]:0.00} ms, p99 {timings[(int)(timings.Count * 0.99)]:0.00} ms over {timings.Count} lookups."));
        var disagreements = decided.Count(d => d.Hit != (d.Judged.SameSpace && d.Judged.Similarity >= defaults.SemanticThreshold && d.Judged.Refusal is null));
        Console.WriteLine($"The cache decided as the table's row for its defaults in {decided.Count - disagreements} of {decided.Count} pairs.");

        if (args.Contains("--show"))
        {
            Console.WriteLine();
            foreach (var (item, hit) in decided.Where(d => d.Hit != d.Judged.Pair.Same).OrderBy(d => d.Judged.Pair.Kind))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(hit ? "WRONG HIT" : "missed")} {item.Pair.Id} ({item.Pair.Kind}) {item.Similarity:0.000} [{item.Refusal ?? "verified"}]: {item.Pair.First} | {item.Pair.Second}"));
            }
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores.");
    }

    private static IEnumerable<(string Half, List<Judged> Members)> Halves(IEnumerable<Judged> judged)
    {
        var list = judged.ToList();
        yield return ("development", [.. list.Where(j => Number(j.Pair.Id) % 2 == 1)]);
        yield return ("held out", [.. list.Where(j => Number(j.Pair.Id) % 2 == 0)]);
    }

    private static int Number(string id) => int.Parse(id[(id.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);

    private static void Row(float threshold, bool verified, string half, List<Judged> members, Func<Judged, bool> hits)
    {
        string Share(Func<Judged, bool> which)
        {
            var group = members.Where(which).ToList();
            return $"{group.Count(hits)} of {group.Count}";
        }
        var truePositives = members.Count(j => j.Pair.Same && hits(j));
        var predicted = members.Count(hits);
        var same = members.Count(j => j.Pair.Same);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {threshold:0.00} | {(verified ? "yes" : "no")} | {half} | {Share(j => j.Pair.Kind == "paraphrase")} | {Share(j => j.Pair.Kind == "context" && j.Pair.Same)} | " +
            $"{Share(j => j.Pair.Kind == "hard-negative")} | {Share(j => j.Pair.Kind == "unrelated")} | {Share(j => j.Pair.Kind == "context" && !j.Pair.Same)} | " +
            $"{(predicted == 0 ? 1 : truePositives / (double)predicted):P1} | {truePositives / (double)same:P1} |"));
    }

    private static ChatCompletionRequest Request(List<JsonObject>? context, string question)
    {
        var messages = new JsonArray([.. (context ?? []).Select(m => (JsonNode)m.DeepClone()), new JsonObject { ["role"] = "user", ["content"] = question }]);
        var body = new JsonObject { ["model"] = "mock/mock-1", ["messages"] = messages };
        return ChatCompletionReader.Read(JsonSerializer.SerializeToElement(body));
    }

    private static TenantKey TenantKeyOf(Guid tenantId) =>
        new(Guid.NewGuid(), tenantId, "evaluation", "pro", TenantActive: true, CacheEnabled: true, Scopes: ["chat"], AllowedModels: [],
            RequestsPerMinute: null, TokensPerMinute: null, ExpiresAt: null, RevokedAt: null);

    private sealed record LabelledPair(
        string Id, string Domain, string Kind, bool Same, string First, string Second, string Answer,
        List<JsonObject>? Context, List<JsonObject>? FirstContext, List<JsonObject>? SecondContext);

    private sealed record Judged(LabelledPair Pair, bool SameSpace, float Similarity, string? Refusal);
}
