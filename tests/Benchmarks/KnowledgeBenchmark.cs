using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingestion;
using Ingestion.Services;
using Microsoft.Extensions.Options;
using Platform.Testing;
using Platform.Vectors;

namespace Benchmarks;

/// <summary>
/// Knowledge: chunking and local embedding (MiniLM) in process (chunks/s; 20 documents of about 60 kB, 800 chunks),
/// the same documents indexed end to end through the running platform (upload → JetStream job → extract, chunk,
/// embed, store: chunks/s), and vector search over 10k and 100k texts' vectors (the semantic cache benchmark's
/// questions, embedded once and kept on disk; the in-memory index: p50/p99 per query, and how much of the exact top 5
/// it finds).
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- knowledge</c>.
/// </summary>
public static class KnowledgeBenchmark
{
    public static async Task RunAsync()
    {
        var chunker = new Chunker(Options.Create(new IngestionOptions()));
        using var embedder = new LocalEmbeddingGenerator(Options.Create(new LocalEmbeddingOptions()));
        var documents = Enumerable.Range(0, 20).Select(Document).ToList();

        // In process: what the job does with the text, without the database.
        chunker.Split(documents[0]);
        var clock = Stopwatch.StartNew();
        var chunkCount = 0;
        foreach (var document in documents)
        {
            var chunks = chunker.Split(document);
            await embedder.GenerateAsync(chunks.Select(c => c.Text));
            chunkCount += chunks.Count;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chunk + embed in process: {chunkCount:N0} chunks of ≤ 400 tokens in {clock.Elapsed.TotalSeconds:0.00} s = {chunkCount / clock.Elapsed.TotalSeconds:N0} chunks/s"));

        await IndexThroughPlatformAsync(documents);

        var texts = SemanticCacheBenchmark.Questions().Select(q => q.Text).ToList();
        foreach (var size in new[] { 10_000, 100_000 })
        {
            await SearchLatencyAsync(embedder, texts, size);
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores.");
    }

    private static async Task IndexThroughPlatformAsync(List<string> documents)
    {
        Console.WriteLine("Starting the platform (Production environment, throwaway data)…");
        await using var platform = await TestPlatform.StartAsync(new PlatformSettings { ServiceEnvironment = "Production" });
        using var http = platform.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await platform.GetParameterValueAsync("demo-key"));
        http.Timeout = TimeSpan.FromMinutes(5);

        // One document first, so the services' first-call costs are not counted.
        await UploadAsync(http, "warm-up.md", Document(1_000));
        var warmUpChunks = await WaitIndexedAsync(http);

        // Uploaded four at a time, as a client sending a folder would; the clock runs until the last one is indexed.
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(documents.Select((d, i) => (d, i)), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (document, _) => await UploadAsync(http, $"doc-{document.i}.md", document.d));
        var uploaded = clock.Elapsed;
        var chunks = await WaitIndexedAsync(http) - warmUpChunks;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"indexed through the platform: {documents.Count} documents, {chunks:N0} chunks in {clock.Elapsed.TotalSeconds:0.00} s (uploads took {uploaded.TotalSeconds:0.00} s) = {chunks / clock.Elapsed.TotalSeconds:N0} chunks/s"));
    }

    internal static async Task UploadAsync(HttpClient http, string name, string text) =>
        (await http.PostAsJsonAsync("/api/v1/ingestion/documents", new { name, text })).EnsureSuccessStatusCode();

    /// <summary>Waits until no document is queued or processing; the chunks of all of them.</summary>
    internal static async Task<int> WaitIndexedAsync(HttpClient http)
    {
        while (true)
        {
            var listed = await http.GetFromJsonAsync<JsonElement[]>("/api/v1/ingestion/documents");
            if (listed!.All(d => d.GetProperty("status").GetString() is "indexed" or "failed"))
            {
                return listed!.Sum(d => d.GetProperty("chunks").GetInt32());
            }
            await Task.Delay(50);
        }
    }

    private static async Task SearchLatencyAsync(LocalEmbeddingGenerator embedder, List<string> texts, int size)
    {
        var vectors = await EmbeddedTexts.EmbedAsync(embedder, texts[..size]);
        var index = new VectorIndex<int>(LocalEmbeddingGenerator.Dimensions, TenantVectorIndex.SearchCandidates);
        for (var i = 0; i < size; i++)
        {
            index.Add(vectors[i], i);
        }
        var queries = await EmbeddedTexts.EmbedAsync(embedder, texts[^200..]);
        var (p50, p99, recall) = VectorSearch.Measure(index, vectors, queries, 5);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"search over {size:N0} texts ({LocalEmbeddingGenerator.Dimensions} dims, top 5): p50 {p50:0.000} ms, p99 {p99:0.000} ms, recall of the exact top 5 {recall:P1}"));
    }

    // About 60 kB of Markdown each: headings, and paragraphs of plausible words.
    private static string Document(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (var section = 0; section < 20; section++)
        {
            text.Append("# Section ").Append(section).Append("\n\n");
            for (var paragraph = 0; paragraph < 8; paragraph++)
            {
                for (var sentence = 0; sentence < 6; sentence++)
                {
                    text.Append(Sentence(random)).Append(' ');
                }
                text.Append("\n\n");
            }
        }
        return text.ToString();
    }

    private static readonly string[] Words =
    [
        "pump", "valve", "invoice", "customer", "warranty", "shipping", "refund", "contract", "clause", "engine", "battery", "sensor",
        "inspection", "report", "schedule", "delivery", "policy", "account", "payment", "order", "service", "repair", "manual", "safety",
    ];

    private static string Sentence(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(6, 14)).Select(_ => Words[random.Next(Words.Length)])) + ".";
}
