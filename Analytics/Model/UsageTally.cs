namespace Analytics.Model;

/// <summary>Rollups added up over some minutes and keys, with their latency bins merged.</summary>
public sealed class UsageTally
{
    public long Requests { get; set; }

    public long Errors { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public decimal Cost { get; set; }

    public long CacheHits { get; set; }

    public long SemanticCacheHits { get; set; }

    public long CacheableRequests { get; set; }

    public double LatencyMsSum { get; set; }

    public LatencySketch Latency { get; } = new();

    public void Add(UsageTally other)
    {
        Requests += other.Requests;
        Errors += other.Errors;
        InputTokens += other.InputTokens;
        OutputTokens += other.OutputTokens;
        Cost += other.Cost;
        CacheHits += other.CacheHits;
        SemanticCacheHits += other.SemanticCacheHits;
        CacheableRequests += other.CacheableRequests;
        LatencyMsSum += other.LatencyMsSum;
        Latency.Merge(other.Latency);
    }

    public UsageFigures ToFigures(string? key = null) => new(
        key, Requests, Errors, InputTokens, OutputTokens, Cost, CacheableRequests, CacheHits, SemanticCacheHits,
        Rate(CacheHits, CacheableRequests), Rate(SemanticCacheHits, CacheableRequests), Rate(Errors, Requests),
        new LatencyFigures(Requests == 0 ? null : LatencyMsSum / Requests, Latency.Quantile(0.50m), Latency.Quantile(0.95m), Latency.Quantile(0.99m)));

    // Undefined without a denominator: null, not a misleading zero.
    private static double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;
}
