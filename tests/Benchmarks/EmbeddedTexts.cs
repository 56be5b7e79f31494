using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Platform.Vectors;

namespace Benchmarks;

/// <summary>
/// Texts embedded by the local model, kept on disk (under <c>BenchmarkDotNet.Artifacts/embeddings</c>, by a hash of
/// the texts) so that a benchmark run after the first does not spend minutes embedding 100,000 texts again.
/// </summary>
public static class EmbeddedTexts
{
    public static async Task<List<float[]>> EmbedAsync(LocalEmbeddingGenerator embeddings, IReadOnlyList<string> texts)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', texts) + LocalEmbeddingGenerator.Revision)))[..16];
        var path = Path.Combine("BenchmarkDotNet.Artifacts", "embeddings", $"{hash}.bin");
        var dimensions = LocalEmbeddingGenerator.Dimensions;
        if (File.Exists(path))
        {
            var stored = MemoryMarshal.Cast<byte, float>(await File.ReadAllBytesAsync(path)).ToArray();
            return [.. Enumerable.Range(0, texts.Count).Select(i => stored.AsSpan(i * dimensions, dimensions).ToArray())];
        }
        var vectors = new List<float[]>(texts.Count);
        foreach (var batch in texts.Chunk(1_000))
        {
            vectors.AddRange((await embeddings.GenerateAsync(batch)).Select(e => e.Vector.ToArray()));
            Console.Write($"\r  embedding {vectors.Count:N0} of {texts.Count:N0} texts…");
        }
        Console.WriteLine();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, MemoryMarshal.AsBytes(vectors.SelectMany(v => v).ToArray().AsSpan()).ToArray());
        return vectors;
    }
}
