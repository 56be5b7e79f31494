using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
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
/// The semantic cache at 10k and 100k questions in one tenant's space, questions a support assistant gets (made from
/// templates: an action, a thing, a circumstance), embedded by the local model: the in-memory index alone (p50/p99,
/// and how often its nearest question is the exact scan's), then whole lookups through <see cref="SemanticCache"/> on
/// a throwaway redis-server, as a request makes them: the question embedded, the space searched, candidates verified,
/// the answer read. Half the lookups are stored questions reworded (they should hit), half are questions not stored
/// (they should not).
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- semantic-cache</c>.
/// </summary>
public static class SemanticCacheBenchmark
{
    public static async Task RunAsync()
    {
        using var redis = await ThrowawayRedis.StartAsync();
        using var embeddings = new LocalEmbeddingGenerator(Options.Create(new LocalEmbeddingOptions()));
        var all = Questions().ToList();
        var shuffled = all.OrderBy(_ => Random.Shared.Next()).ToList();
        foreach (var size in new[] { 10_000, 100_000 })
        {
            var random = new Random(size);
            var stored = all.Take(size).ToList();
            var vectors = await EmbeddedTexts.EmbedAsync(embeddings, [.. stored.Select(q => q.Text)]);
            var lookups = Enumerable.Range(0, 500)
                .Select(i => i % 2 == 0 ? (Text: stored[random.Next(size)].Reworded, Stored: true) : (Text: all[size + random.Next(all.Count - size)].Text, Stored: false))
                .ToList();
            var lookupVectors = await EmbeddedTexts.EmbedAsync(embeddings, [.. lookups.Select(l => l.Text)]);

            var index = new VectorIndex<int>(LocalEmbeddingGenerator.Dimensions);
            for (var i = 0; i < size; i++)
            {
                index.Add(vectors[i], i);
            }
            var (p50, p99, recall) = VectorSearch.Measure(index, vectors, lookupVectors, 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"index of {size:N0} questions: nearest p50 {p50:0.000} ms, p99 {p99:0.000} ms; the exact nearest found {recall:P1}"));

            await ThroughRedisAsync(redis, embeddings, stored, vectors, lookups);
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores.");
    }

    private static async Task ThroughRedisAsync(
        ThrowawayRedis redis, LocalEmbeddingGenerator embeddings, List<Question> stored, List<float[]> vectors, List<(string Text, bool Stored)> lookups)
    {
        var options = Options.Create(new CacheOptions { SemanticMaxEntries = stored.Count, SemanticMirroredEntries = stored.Count });
        var catalog = new ModelCatalog(Options.Create(new Dictionary<string, ProviderOptions>()));
        using var cache = new SemanticCache(redis.Connection, catalog, embeddings, new QuestionVerifier(embeddings, options), options, new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(), NullLogger<SemanticCache>.Instance);
        var orchestrator = new OrchestratorClient(new HttpClient(), catalog);
        var key = new TenantKey(Guid.NewGuid(), Guid.NewGuid(), "benchmark", "pro", TenantActive: true, CacheEnabled: true, Scopes: ["chat"], AllowedModels: [],
            RequestsPerMinute: null, TokensPerMinute: null, ExpiresAt: null, RevokedAt: null);
        var space = (await cache.QueryForAsync(key, Request(stored[0].Text), "exact", orchestrator, new UsageRecord(), default))!.Space;
        // Each answer names its question, so a wrong hit shows which stored question answered.
        for (var i = 0; i < stored.Count; i++)
        {
            cache.Store(new SemanticQuery(space, stored[i].Text) { Vector = vectors[i] }, new ChatResponse(new ChatMessage(ChatRole.Assistant, $"The answer to: {stored[i].Text}")));
        }
        var database = redis.Connection.GetDatabase();
        while (await database.ListLengthAsync(space) < stored.Count)
        {
            await Task.Delay(100);
        }

        var clock = Stopwatch.StartNew();
        await cache.GetAsync(new SemanticQuery(space, stored[0].Text) { Vector = vectors[0] });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  a Gateway's first lookup reads the space into memory: {clock.Elapsed.TotalMilliseconds:N0} ms"));

        var timings = new List<double>();
        var (reworded, hitsOfReworded, hitsOfNew) = (0, 0, 0);
        foreach (var (text, isStored) in lookups)
        {
            var start = Stopwatch.GetTimestamp();
            var query = await cache.QueryForAsync(key, Request(text), "exact", orchestrator, new UsageRecord(), default);
            var answer = await cache.GetAsync(query!);
            timings.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            var hit = answer is not null;
            if (hit && !isStored)
            {
                Console.WriteLine($"  WRONG HIT: '{text}' answered by '{answer!.Value.Response.Text}' ({answer.Value.Similarity:0.000})");
            }
            reworded += isStored ? 1 : 0;
            hitsOfReworded += isStored && hit ? 1 : 0;
            hitsOfNew += !isStored && hit ? 1 : 0;
        }
        timings.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  lookup at {stored.Count:N0} entries, embedding and verification included: p50 {timings[timings.Count / 2]:0.00} ms, p99 {timings[(int)(timings.Count * 0.99)]:0.00} ms; " +
            $"reworded questions hit {hitsOfReworded} of {reworded}, questions not stored hit {hitsOfNew} of {lookups.Count - reworded}"));
        await database.KeyDeleteAsync(space);
    }

    private static ChatCompletionRequest Request(string question) =>
        ChatCompletionReader.Read(JsonSerializer.SerializeToElement(new { model = "mock/mock-1", messages = new[] { new { role = "user", content = question } } }));

    internal sealed record Question(string Text, string Reworded);

    // 50 actions × 50 things × 48 circumstances: 120,000 distinct questions, each with a rewording of its frame.
    internal static IEnumerable<Question> Questions()
    {
        string[] actions =
        [
            "cancel", "renew", "upgrade", "downgrade", "pause", "transfer", "return", "replace", "repair", "insure", "register", "activate",
            "deactivate", "reset", "update", "verify", "track", "ship", "pay for", "refund", "exchange", "unlock", "lock", "share", "export",
            "import", "delete", "restore", "back up", "configure", "install", "uninstall", "clean", "charge", "sell", "rent", "lease", "finance",
            "recycle", "donate", "report", "dispute", "order", "reorder", "schedule service for", "find the manual for", "get a quote for",
            "check the warranty on", "change the address for", "add a second user to",
        ];
        string[] things =
        [
            "laptop", "phone", "tablet", "router", "printer", "monitor", "keyboard", "camera", "headphones", "smartwatch", "television",
            "speaker", "microwave", "dishwasher", "fridge", "washing machine", "dryer", "vacuum cleaner", "air purifier", "thermostat",
            "doorbell", "security camera", "e-bike", "scooter", "car seat", "stroller", "treadmill", "rowing machine", "coffee machine",
            "blender", "kettle", "toaster", "oven", "freezer", "heat pump", "solar panel", "battery pack", "charger", "gift card",
            "subscription", "membership", "insurance policy", "savings account", "credit card", "loan", "mortgage", "phone plan",
            "broadband contract", "streaming account", "cloud storage plan",
        ];
        string[] circumstances =
        [
            "online", "in store", "by phone", "from abroad", "after the warranty ends", "before it ships", "after it was delivered",
            "without a receipt", "with a gift receipt", "on a business account", "for a family member", "if it was a gift",
            "if I moved house", "if it arrived damaged", "if it stopped working", "if I lost it", "if it was stolen", "during a sale",
            "on a student discount", "on a payment plan", "with store credit", "with a voucher", "at the weekend", "on a public holiday",
            "within 14 days", "after 30 days", "after a year", "in another country", "in French", "for free", "for a fee", "today",
            "next week", "without an account", "with two-factor authentication on", "from the app", "from the website",
            "through a reseller", "bought second hand", "bought on marketplace", "as a business", "as a charity", "for a school",
            "for a hospital", "for a hotel", "for a restaurant", "for a rental property", "for an elderly parent",
        ];
        foreach (var circumstance in circumstances)
        {
            foreach (var thing in things)
            {
                foreach (var action in actions)
                {
                    yield return new Question($"How do I {action} my {thing} {circumstance}?", $"What's the way to {action} my {thing} {circumstance}?");
                }
            }
        }
    }
}
