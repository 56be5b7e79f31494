using Microsoft.Extensions.AI;
using Platform.Catalog;

namespace Platform.Vectors;

/// <summary>
/// The keyless default embedding: lexical, not neural. Words and word pairs are hashed into a fixed number of
/// dimensions and the vector normalised, so texts sharing words land near each other. Configure a real
/// embedding model (openai, ollama) for meaning rather than wording.
/// </summary>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 384;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(values.Select(value => new Embedding<float>(Vector(value))
        {
            ModelId = ModelCatalog.LocalEmbeddingModel,
            CreatedAt = DateTimeOffset.UtcNow,
        }));
        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    /// <summary>The normalised vector of <paramref name="text"/>, computed in place (no I/O).</summary>
    public static float[] Vector(string text)
    {
        var vector = new float[Dimensions];
        var lower = text.ToLowerInvariant().AsSpan();
        // The words of Words(text), hashed as they are found: a word pair's hash continues the first word's through
        // the space, which is the hash of "first second" without building that string.
        var previous = 0u;
        var hasPrevious = false;
        while (lower.Length > 0)
        {
            var start = 0;
            while (start < lower.Length && char.IsWhiteSpace(lower[start]))
            {
                start++;
            }
            var end = start;
            while (end < lower.Length && !char.IsWhiteSpace(lower[end]))
            {
                end++;
            }
            var word = lower[start..end].Trim(Punctuation);
            lower = lower[end..];
            if (word.IsEmpty)
            {
                continue;
            }
            var hash = Fnv1a(OffsetBasis, word);
            Add(vector, hash, 1f);
            if (hasPrevious)
            {
                Add(vector, Fnv1a(Fnv1a(previous, " "), word), 0.5f);
            }
            previous = hash;
            hasPrevious = true;
        }
        var norm = MathF.Sqrt(vector.Sum(x => x * x));
        if (norm > 0)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] /= norm;
            }
        }
        return vector;
    }

    /// <summary>The text's words as the embedding sees them: lower case, without surrounding punctuation.</summary>
    public static IEnumerable<string> Words(string text) =>
        text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Trim(Punctuation))
            .Where(word => word.Length > 0);

    private static readonly char[] Punctuation = ['.', ',', ';', ':', '!', '?', '"', '\'', '(', ')'];

    private const uint OffsetBasis = 2166136261u;

    private static void Add(float[] vector, uint hash, float weight) =>
        // The hash's top bit gives a sign, so unrelated features cancel out rather than pile up.
        vector[hash % Dimensions] += (hash & 0x8000_0000) == 0 ? weight : -weight;

    // FNV-1a: stable across processes and runs, unlike string.GetHashCode; continued from a hash, it hashes a concatenation.
    private static uint Fnv1a(uint hash, ReadOnlySpan<char> feature)
    {
        foreach (var c in feature)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
