using System.Numerics.Tensors;
using System.Text.Json;
using Platform.Vectors;

namespace Router.Services;

/// <summary>
/// Classifies a request's intent by its nearness, in the keyless neural embedding (MiniLM), to labelled examples:
/// global ones from <c>intent-examples.json</c> (embedded once, as the Router starts) plus a tenant's own. An intent
/// scores half by its nearest example (which keeps a distinctive example from being averaged away) and half by its
/// centroid, plus cue words. When the best is weak or hardly better than the next, the deterministic rules decide
/// instead. Novelty is how far the request is from every example.
/// </summary>
public sealed class IntentClassifier
{
    public const string General = "general";

    // Chosen by leave-one-out over the global examples (each classified by the others), not on the evaluation's prompts:
    // the weights for its best accuracy (the cue words add 4.5 points to it), the thresholds where they cost it 1.5
    // points and send flat cases (a third of strings of random letters) to the rules.
    private const double MinimumConfidence = 0.2;
    private const double MinimumMargin = 0.02;
    private const double CueWeight = 0.1;
    private const double NearestShare = 0.5;

    // The model reads up to 256 word pieces: a longer text is classified by its beginning and its end, where the ask is,
    // which also bounds the CPU a pasted document costs.
    private const int ExcerptWords = 128;

    private readonly LocalEmbeddingGenerator _embeddings;
    private readonly Dictionary<string, string[]> _examples;
    private readonly Lazy<Task<Dictionary<string, IntentVectors>>> _global;

    public IntentClassifier(LocalEmbeddingGenerator embeddings, IHostEnvironment environment)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "intent-examples.json");
        if (!File.Exists(path))
        {
            path = Path.Combine(environment.ContentRootPath, "intent-examples.json");
        }
        _embeddings = embeddings;
        _examples = JsonSerializer.Deserialize<Dictionary<string, string[]>>(File.ReadAllText(path))!;
        _global = new(() => IntentsOfAsync(_examples.SelectMany(e => e.Value.Select(text => (e.Key, text)))));
    }

    public IReadOnlyCollection<string> Intents => _examples.Keys;

    /// <summary>Embeds the global examples now rather than at the first classification.</summary>
    public Task WarmUpAsync() => _global.Value;

    /// <summary>
    /// The intent of <paramref name="text"/> among the global intents, or among <paramref name="intents"/> (a
    /// tenant's, from <see cref="WithTenantExamplesAsync"/>).
    /// </summary>
    public async Task<IntentResult> ClassifyAsync(
        string text, int inputTokens, IReadOnlyDictionary<string, IntentVectors>? intents = null, CancellationToken cancellationToken = default)
    {
        intents ??= await _global.Value;
        var cued = RequestFlags.Cues(text);
        string? best = null;
        double bestScore = double.MinValue, second = double.MinValue, nearestExample = 0;
        if (!string.IsNullOrWhiteSpace(text))
        {
            var vector = (await EmbedAsync([text], cancellationToken))[0];
            foreach (var (intent, examples) in intents)
            {
                var nearest = double.MinValue;
                foreach (var example in examples.Examples)
                {
                    nearest = Math.Max(nearest, TensorPrimitives.Dot(vector, example));
                }
                nearestExample = Math.Max(nearestExample, nearest);
                // A cue word ("translate", "haiku", "trade-off") is evidence a short or unusual request's vector may miss.
                var score = NearestShare * nearest + (1 - NearestShare) * TensorPrimitives.Dot(vector, examples.Centroid) + (cued.Contains(intent) ? CueWeight : 0);
                if (score > bestScore)
                {
                    (second, bestScore, best) = (bestScore, score, intent);
                }
                else if (score > second)
                {
                    second = score;
                }
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

    /// <summary>The global intents with a tenant's examples: they pull a global intent toward its wording, or make intents of its own.</summary>
    public async Task<IReadOnlyDictionary<string, IntentVectors>> WithTenantExamplesAsync(IEnumerable<(string Intent, float[] Vector)> examples)
    {
        var global = await _global.Value;
        var own = examples.GroupBy(e => e.Intent).ToDictionary(g => g.Key, g => IntentVectors.Of([.. g.Select(e => e.Vector)]));
        return global.Keys.Union(own.Keys).ToDictionary(intent => intent, intent =>
            !own.TryGetValue(intent, out var tenant) ? global[intent]
            : global.TryGetValue(intent, out var shared) ? shared.With(tenant)
            : tenant);
    }

    /// <summary>Texts as the classifier sees them (a long one by its beginning and end), as normalised vectors.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        [.. (await _embeddings.GenerateAsync(texts.Select(Excerpt), cancellationToken: cancellationToken)).Select(e => e.Vector.ToArray())];

    private async Task<Dictionary<string, IntentVectors>> IntentsOfAsync(IEnumerable<(string Intent, string Text)> examples)
    {
        var labelled = examples.ToList();
        // Shared by every request, so no one request's cancellation may end it.
        var vectors = await EmbedAsync([.. labelled.Select(e => e.Text)], CancellationToken.None);
        return labelled.Zip(vectors).GroupBy(e => e.First.Intent).ToDictionary(g => g.Key, g => IntentVectors.Of([.. g.Select(e => e.Second)]));
    }

    private static string Excerpt(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length <= ExcerptWords ? text : string.Join(' ', words[..(ExcerptWords / 2)].Concat(words[^(ExcerptWords / 2)..]));
    }
}

public sealed record IntentResult(string Intent, double Confidence, double Novelty, bool FromRules);
