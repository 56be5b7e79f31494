using System.Diagnostics;
using System.Numerics.Tensors;
using Platform.Vectors;

namespace Benchmarks;

/// <summary>Times a <see cref="VectorIndex{T}"/>'s searches and checks them against an exact scan of the vectors it holds.</summary>
public static class VectorSearch
{
    /// <summary>p50 and p99 in milliseconds, and the share of the exact top <paramref name="top"/> the index returned.</summary>
    public static (double P50, double P99, double Recall) Measure(VectorIndex<int> index, IReadOnlyList<float[]> vectors, IReadOnlyList<float[]> queries, int top)
    {
        index.Nearest(queries[0], top);
        var timings = new List<double>(queries.Count);
        var found = 0;
        foreach (var query in queries)
        {
            var start = Stopwatch.GetTimestamp();
            var nearest = index.Nearest(query, top);
            timings.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            var exact = Exact(vectors, query, top);
            // Ties at the cut may be either of equals: compare by score, not by identity.
            var cutoff = exact[^1];
            found += nearest.Count(n => n.Score >= cutoff - 1e-6f);
        }
        timings.Sort();
        return (timings[timings.Count / 2], timings[Math.Min(timings.Count - 1, (int)(timings.Count * 0.99))], found / (double)(queries.Count * top));
    }

    private static float[] Exact(IReadOnlyList<float[]> vectors, float[] query, int top) =>
        [.. vectors.Select(vector => TensorPrimitives.Dot(vector, query)).OrderDescending().Take(top)];
}
