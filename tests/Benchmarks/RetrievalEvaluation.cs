using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;

namespace Benchmarks;

/// <summary>
/// Retrieval on the labelled set of <c>Data/retrieval</c>: 26 documents of a few companies (policies, an API reference,
/// release notes, handbooks; similar sections in different documents) and questions, each with the sentence of one
/// document that answers it (asked in the documents' words, in other words, or by an identifier such as an error
/// code). The documents are indexed through the running platform (upload, chunking, local embedding, PostgreSQL),
/// then every question is searched in each mode; a question is answered at the rank of the first chunk holding its
/// sentence. Prints recall@5 and MRR (over the top 10) per mode, overall and per style of question.
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- retrieval</c>.
/// </summary>
public static class RetrievalEvaluation
{
    private const int Listed = 10;

    public static async Task RunAsync()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Data", "retrieval");
        var questions = JsonSerializer.Deserialize<List<LabelledQuestion>>(File.ReadAllText(Path.Combine(folder, "questions.json")), JsonSerializerOptions.Web)!;
        var documents = Directory.GetFiles(folder, "*.md").ToDictionary(path => Path.GetFileName(path), File.ReadAllText);

        Console.WriteLine("Starting the platform (Production environment, throwaway data)…");
        await using var platform = await TestPlatform.StartAsync(new PlatformSettings { ServiceEnvironment = "Production" });
        using var http = platform.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await platform.GetParameterValueAsync("demo-key"));
        http.Timeout = TimeSpan.FromMinutes(5);
        foreach (var (name, text) in documents)
        {
            await KnowledgeBenchmark.UploadAsync(http, name, text);
        }
        var chunks = await KnowledgeBenchmark.WaitIndexedAsync(http);
        Console.WriteLine($"{documents.Count} documents in {chunks} chunks; {questions.Count} questions ({string.Join(", ", questions.GroupBy(q => q.Style).Select(g => $"{g.Count()} {g.Key}"))}).");
        Console.WriteLine();
        Console.WriteLine("| mode | questions | recall@5 | MRR |");
        Console.WriteLine("|---|---|---|---|");
        await FusionVariantsAsync(http, questions);
        foreach (var mode in new[] { "vector", "text", "hybrid" })
        {
            var ranks = new List<(LabelledQuestion Question, int? Rank)>();
            foreach (var question in questions)
            {
                using var response = await http.PostAsJsonAsync("/api/v1/ingestion/search", new { query = question.Question, top = Listed, mode });
                response.EnsureSuccessStatusCode();
                var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
                var rank = results.FindIndex(r => r.GetProperty("documentName").GetString() == question.Document
                    && Normalised(r.GetProperty("text").GetString()!).Contains(Normalised(question.Answer), StringComparison.Ordinal));
                ranks.Add((question, rank < 0 ? null : rank + 1));
            }
            foreach (var group in ranks.GroupBy(r => "all").Concat(ranks.GroupBy(r => r.Question.Style)))
            {
                var recall = group.Count(r => r.Rank <= 5) / (double)group.Count();
                var mrr = group.Sum(r => r.Rank is { } rank ? 1.0 / rank : 0) / group.Count();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mode} | {group.Key} ({group.Count()}) | {recall:0.000} | {mrr:0.000} |"));
            }
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores.");
    }

    private static async Task FusionVariantsAsync(HttpClient http, List<LabelledQuestion> questions)
    {
        var lists = new List<(LabelledQuestion Q, List<(string Key, bool Right, double Score)> Vector, List<(string Key, bool Right, double Score)> Text)>();
        foreach (var question in questions)
        {
            async Task<List<(string, bool, double)>> ListAsync(string mode)
            {
                using var response = await http.PostAsJsonAsync("/api/v1/ingestion/search", new { query = question.Question, top = 40, mode });
                var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray();
                return [.. results.Select(r => ($"{r.GetProperty("documentId").GetGuid()}:{r.GetProperty("chunkIndex").GetInt32()}",
                    r.GetProperty("documentName").GetString() == question.Document && Normalised(r.GetProperty("text").GetString()!).Contains(Normalised(question.Answer), StringComparison.Ordinal),
                    r.GetProperty("score").GetDouble()))];
            }
            lists.Add((question, await ListAsync("vector"), await ListAsync("text")));
        }
        var variants = new List<(string Name, Func<List<(string Key, bool Right, double Score)>, List<(string Key, bool Right, double Score)>, List<(string Key, bool Right)>> Fuse)>
        {
            ("reciprocal rank fusion (k 60)", (v, t) => Rrf(v, t, 1, 1)),
        };
        foreach (var w in new[] { 0.1, 0.25, 0.5 })
        {
            variants.Add(($"cos + {w} text", (v, t) => Convex(v, t, w)));
        }
        foreach (var (name, fuse) in variants)
        {
            foreach (var half in new[] { 1, 0 })
            {
                var group = lists.Where(l => int.Parse(l.Q.Id[1..], CultureInfo.InvariantCulture) % 2 == half).ToList();
                var ranks = group.Select(l => fuse(l.Vector, l.Text).FindIndex(r => r.Right) + 1).ToList();
                var styles = string.Join(", ", group.GroupBy(l => l.Q.Style).Select(g => string.Create(CultureInfo.InvariantCulture,
                    $"{g.Key} {g.Count(l => fuse(l.Vector, l.Text).FindIndex(r => r.Right) is >= 0 and < 5) / (double)g.Count():0.00}")));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name} {(half == 1 ? "odd" : "even")}: recall@5 {ranks.Count(r => r is > 0 and <= 5) / (double)ranks.Count:0.000}, MRR {ranks.Sum(r => r > 0 && r <= 10 ? 1.0 / r : 0) / ranks.Count:0.000}; {styles}"));
            }
        }
    }

    private static List<(string Key, bool Right)> Rrf(List<(string Key, bool Right, double Score)> v, List<(string Key, bool Right, double Score)> t, double wv, double wt)
    {
        var fused = new Dictionary<string, (bool Right, double Score)>();
        foreach (var (list, w) in new[] { (v, wv), (t, wt) })
        {
            for (var i = 0; i < list.Count; i++)
            {
                var old = fused.GetValueOrDefault(list[i].Key);
                fused[list[i].Key] = (list[i].Right, old.Score + (w / (61 + i)));
            }
        }
        return [.. fused.OrderByDescending(f => f.Value.Score).Select(f => (f.Key, f.Value.Right))];
    }

    private static List<(string Key, bool Right)> Convex(List<(string Key, bool Right, double Score)> v, List<(string Key, bool Right, double Score)> t, double w)
    {
        var floor = v.Count == 0 ? 0 : v.Min(x => x.Score);
        var cos = v.ToDictionary(x => x.Key, x => x.Score);
        var text = t.ToDictionary(x => x.Key, x => x.Score);
        var right = v.Concat(t).GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.First().Right);
        return [.. right.Keys.OrderByDescending(k => cos.GetValueOrDefault(k, floor) + (w * text.GetValueOrDefault(k))).Select(k => (k, right[k]))];
    }

    // Chunking may rejoin lines: compare words, not white space.
    private static string Normalised(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private sealed record LabelledQuestion(string Id, string Question, string Document, string Answer, string Style);
}
