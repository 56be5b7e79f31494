using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Gateway;
using Gateway.Cache;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Catalog;
using Platform.Vectors;

namespace Benchmarks;

/// <summary>
/// The semantic cache at 10k and 100k questions in one space: the in-memory index alone (p50/p99, and how often its
/// nearest question is the exact scan's), then whole lookups through <see cref="SemanticCache"/> on a throwaway
/// redis-server (one LLEN, and one LINDEX on a hit): p50/p99, and whether each lookup decided as an exact scan would.
/// Half the lookups are stored questions reworded, half are new questions.
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- semantic-cache</c>.
/// </summary>
public static class SemanticCacheBenchmark
{
    private const float Threshold = 0.9f;

    public static async Task RunAsync()
    {
        using var redis = await ThrowawayRedis.StartAsync();
        foreach (var size in new[] { 10_000, 100_000 })
        {
            var random = new Random(size);
            var questions = Enumerable.Range(0, size).Select(_ => Question(random)).ToList();
            var vectors = questions.Select(LocalEmbeddingGenerator.Vector).ToList();
            var lookups = Enumerable.Range(0, 1_000)
                .Select(i => i % 2 == 0 ? Reworded(questions[random.Next(size)], random) : Question(random))
                .Select(LocalEmbeddingGenerator.Vector)
                .ToList();

            var index = new VectorIndex<int>(LocalEmbeddingGenerator.Dimensions);
            for (var i = 0; i < size; i++)
            {
                index.Add(vectors[i], i);
            }
            var (p50, p99, recall) = VectorSearch.Measure(index, vectors, lookups, 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"index of {size:N0} questions: nearest p50 {p50:0.000} ms, p99 {p99:0.000} ms; the exact nearest found {recall:P1}"));

            await ThroughRedisAsync(redis, size, vectors, lookups);
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores.");
    }

    private static async Task ThroughRedisAsync(ThrowawayRedis redis, int size, List<float[]> vectors, List<float[]> lookups)
    {
        using var cache = new SemanticCache(redis.Connection, new ModelCatalog(Options.Create(new Dictionary<string, ProviderOptions>())), Options.Create(new CacheOptions
        {
            SemanticEnabled = true,
            SemanticThreshold = Threshold,
            SemanticMaxEntries = size,
            SemanticMirroredEntries = size,
        }), NullLogger<SemanticCache>.Instance);
        var space = $"{SemanticCache.SpacePrefix(Guid.NewGuid())}benchmark";
        var answer = new ChatResponse(new ChatMessage(ChatRole.Assistant, "A stored answer of a few words, as a cache holds."));
        for (var i = 0; i < size; i++)
        {
            cache.Store(new SemanticQuery(space, vectors[i], ""), answer);
        }
        var database = redis.Connection.GetDatabase();
        while (await database.ListLengthAsync(space) < size)
        {
            await Task.Delay(100);
        }

        var clock = Stopwatch.StartNew();
        await cache.GetAsync(new SemanticQuery(space, lookups[0], ""));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  a Gateway's first lookup reads the space into memory: {clock.Elapsed.TotalMilliseconds:N0} ms"));

        var timings = new List<double>();
        var (hits, agreed) = (0, 0);
        foreach (var lookup in lookups)
        {
            var start = Stopwatch.GetTimestamp();
            var hit = await cache.GetAsync(new SemanticQuery(space, lookup, ""));
            timings.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            var exactBest = vectors.Max(vector => TensorPrimitives.Dot(vector, lookup));
            hits += hit is null ? 0 : 1;
            agreed += (hit is not null) == (exactBest >= Threshold) && (hit is null || Math.Abs(hit.Value.Similarity - exactBest) < 1e-5f) ? 1 : 0;
        }
        timings.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  lookup through Redis at {size:N0} entries: p50 {timings[timings.Count / 2]:0.000} ms, p99 {timings[(int)(timings.Count * 0.99)]:0.000} ms; " +
            $"{hits} hits of {lookups.Count}; decided as an exact scan would: {agreed / (double)lookups.Count:P1}"));
        await database.KeyDeleteAsync(space);
    }

    // Questions of 8 to 16 words from a 2,000-word vocabulary of made-up words.
    private static readonly string[] Vocabulary = [.. Enumerable.Range(0, 2_000).Select(Word)];

    private static string Word(int seed)
    {
        string[] syllables = ["ka", "lo", "mi", "ren", "sto", "vu", "dar", "pel", "qui", "zan", "tor", "bel", "shi", "mon", "ga", "rix"];
        var random = new Random(seed);
        return string.Concat(Enumerable.Range(0, random.Next(2, 4)).Select(_ => syllables[random.Next(syllables.Length)]));
    }

    private static string Question(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(8, 17)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)])) + "?";

    // The same question in other words: a polite prefix, or its first two words swapped.
    private static string Reworded(string question, Random random)
    {
        var words = question.TrimEnd('?').Split(' ');
        if (random.Next(2) == 0)
        {
            return "please " + question;
        }
        (words[0], words[1]) = (words[1], words[0]);
        return string.Join(' ', words) + "?";
    }
}
