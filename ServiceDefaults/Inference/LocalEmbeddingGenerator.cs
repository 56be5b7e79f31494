using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.Hosting;

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
        var words = Words(text).ToArray();
        for (var i = 0; i < words.Length; i++)
        {
            Add(vector, words[i], 1f);
            if (i > 0)
            {
                Add(vector, $"{words[i - 1]} {words[i]}", 0.5f);
            }
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
            .Select(word => word.Trim('.', ',', ';', ':', '!', '?', '"', '\'', '(', ')'))
            .Where(word => word.Length > 0);

    private static void Add(float[] vector, string feature, float weight)
    {
        var hash = Fnv1a(feature);
        // The hash's top bit gives a sign, so unrelated features cancel out rather than pile up.
        vector[hash % Dimensions] += (hash & 0x8000_0000) == 0 ? weight : -weight;
    }

    // FNV-1a: stable across processes and runs, unlike string.GetHashCode.
    private static uint Fnv1a(string feature)
    {
        var hash = 2166136261u;
        foreach (var c in feature)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
