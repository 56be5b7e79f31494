using System.Numerics.Tensors;
using System.Text.Json;

namespace Router.Services;

/// <summary>
/// Classifies a request's intent by its similarity to labelled examples (global ones from
/// <c>intent-examples.json</c>, plus a tenant's own), embedded locally: half to the intent's centroid, half to its
/// nearest example (which keeps a distinctive example from being averaged away), plus cue words. When the best is
/// weak or hardly better than the next, the deterministic rules decide instead. Novelty is how far the request is
/// from every example.
/// </summary>
public sealed class IntentClassifier
{
    public const string General = "general";
    private const double MinimumConfidence = 0.06;
    private const double MinimumMargin = 0.01;
    private const double CueWeight = 0.1;
    private const double NearestShare = 0.5;

    private readonly Dictionary<string, float[]> _centroids;
    private readonly Dictionary<string, List<float[]>> _examples;

    public IntentClassifier(IHostEnvironment environment)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "intent-examples.json");
        if (!File.Exists(path))
        {
            path = Path.Combine(environment.ContentRootPath, "intent-examples.json");
        }
        var examples = JsonSerializer.Deserialize<Dictionary<string, string[]>>(File.ReadAllText(path))!;
        _examples = examples.ToDictionary(e => e.Key, e => e.Value.Select(Embed).ToList());
        _centroids = _examples.ToDictionary(e => e.Key, e => Centroid(e.Value));
    }

    public IReadOnlyCollection<string> Intents => _centroids.Keys;

    public IntentResult Classify(string text, int inputTokens, IReadOnlyDictionary<string, float[]>? tenantCentroids = null)
    {
        var vector = Embed(text);
        string? best = null;
        double bestScore = double.MinValue, second = double.MinValue;
        var cued = RequestFlags.Cues(text);
        var nearestExample = 0.0;
        foreach (var (intent, centroid) in tenantCentroids is null ? _centroids : Merge(tenantCentroids))
        {
            var toCentroid = Cosine(vector, centroid);
            // A tenant's own intent has only its centroid.
            var nearest = _examples.TryGetValue(intent, out var examples) ? examples.Max(e => Cosine(vector, e)) : toCentroid;
            nearestExample = Math.Max(nearestExample, nearest);
            // A cue word ("translate", "haiku", "trade-off") is strong evidence the lexical similarity may miss.
            var score = NearestShare * nearest + (1 - NearestShare) * toCentroid + (cued.Contains(intent) ? CueWeight : 0);
            if (score > bestScore)
            {
                (second, bestScore, best) = (bestScore, score, intent);
            }
            else if (score > second)
            {
                second = score;
            }
        }
        var novelty = 1 - nearestExample;
        if (best is not null && bestScore >= MinimumConfidence && bestScore - second >= MinimumMargin)
        {
            return new IntentResult(best, bestScore, novelty, FromRules: false);
        }
        // Unsure: the rules answer, the same way every time.
        var ruled = cued.Count > 0 ? cued[0] : inputTokens > 1500 ? "summarize" : General;
        return new IntentResult(ruled, Math.Max(bestScore, 0), novelty, FromRules: true);
    }

    /// <summary>A tenant's examples, as centroids that pull the global ones toward its own wording.</summary>
    public Dictionary<string, float[]> TenantCentroids(IEnumerable<(string Intent, string Text)> examples) =>
        examples.GroupBy(e => e.Intent).ToDictionary(g => g.Key, g => Centroid(g.Select(e => Embed(e.Text)).ToList()));

    // Without the words every request shares ("write a", "can you", "please"), what is left says what it is about;
    // a long word also counts by its stem, so "summary" meets "summarize" and "translation" meets "translate".
    private static float[] Embed(string text) =>
        LexicalVectors.Vector(string.Join(' ', text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Trim('.', ',', '?', '!', ':', ';', '"', '\'', '(', ')'))
            .Where(word => word.Length > 0 && !StopWords.Contains(word))
            .Select(word => word.Length > StemLength ? $"{word} {word[..StemLength]}~" : word)));

    private const int StemLength = 5;

    private static readonly HashSet<string> StopWords =
    [
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "this", "that", "these", "those", "it", "is", "are",
        "be", "me", "my", "i", "you", "your", "we", "our", "can", "could", "would", "please", "what", "how", "why", "do", "does",
        "write", "give", "tell", "make", "about", "from", "into", "some", "all", "there", "here", "let", "us",
    ];

    private IEnumerable<KeyValuePair<string, float[]>> Merge(IReadOnlyDictionary<string, float[]> tenant) =>
        _centroids.Keys.Union(tenant.Keys).Select(intent => KeyValuePair.Create(intent,
            _centroids.TryGetValue(intent, out var global) && tenant.TryGetValue(intent, out var own) ? Centroid([global, own])
            : tenant.TryGetValue(intent, out var only) ? only : _centroids[intent]));

    private static float[] Centroid(List<float[]> vectors)
    {
        var sum = new float[vectors[0].Length];
        foreach (var vector in vectors)
        {
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += vector[i];
            }
        }
        var norm = MathF.Sqrt(sum.Sum(x => x * x));
        return norm == 0 ? sum : [.. sum.Select(x => x / norm)];
    }

    // The vectors are normalised, so the dot product is the cosine.
    private static double Cosine(float[] a, float[] b) => TensorPrimitives.Dot(a, b);
}

public sealed record IntentResult(string Intent, double Confidence, double Novelty, bool FromRules);
