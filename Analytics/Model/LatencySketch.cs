namespace Analytics.Model;

/// <summary>
/// Latencies in logarithmic bins (DDSketch): bin i holds (γ^(i-1), γ^i] with γ = (1 + α) / (1 − α) and reads as
/// 2γ^i / (γ + 1), which is within α = 1 % of every latency in it. Sketches merge by adding counts bin by bin, so the
/// bins of any rollups combine in SQL and a percentile over them keeps the same accuracy.
/// </summary>
public sealed class LatencySketch
{
    public const double RelativeAccuracy = 0.01;

    // Shorter latencies share the lowest bin; the Gateway measures none below a microsecond.
    private const double MinimumMs = 0.001;

    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double LogGamma = Math.Log(Gamma);

    private readonly Dictionary<int, long> _counts = [];

    public long Count { get; private set; }

    public static int BinOf(double latencyMs) => (int)Math.Ceiling(Math.Log(Math.Max(latencyMs, MinimumMs)) / LogGamma);

    public static double ValueOf(int bin) => 2 * Math.Pow(Gamma, bin) / (Gamma + 1);

    public void Add(int bin, long count)
    {
        _counts[bin] = _counts.GetValueOrDefault(bin) + count;
        Count += count;
    }

    public void Merge(LatencySketch other)
    {
        foreach (var (bin, count) in other._counts)
        {
            Add(bin, count);
        }
    }

    /// <summary>The nearest-rank percentile: the ⌈q·n⌉-th smallest latency, within 1 %; null when there are none.</summary>
    public double? Quantile(decimal q)
    {
        if (Count == 0)
        {
            return null;
        }
        // In decimal, so 0.95 × 1000 is exactly rank 950.
        var rank = Math.Clamp((long)Math.Ceiling(q * Count), 1, Count);
        var seen = 0L;
        foreach (var (bin, count) in _counts.OrderBy(b => b.Key))
        {
            seen += count;
            if (seen >= rank)
            {
                return ValueOf(bin);
            }
        }
        throw new System.Diagnostics.UnreachableException();
    }
}
