namespace Router.Services;

/// <summary>
/// The intent classifier's lexical vectors (hashed words and word pairs), until it moves to the neural embedding.
/// </summary>
internal static class LexicalVectors
{
    public const int Dimensions = 384;

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
