using System.Text.Json.Serialization;

namespace Analytics.Model;

/// <summary>
/// The KPIs of some usage. <c>cacheHitRate</c> = exact hits / cacheable requests (exact hits, semantic hits and
/// misses; bypassed requests and those that never reached the cache are not cacheable), <c>semanticCacheHitRate</c>
/// likewise, <c>errorRate</c> = requests with a status ≥ 400 / requests; a rate without a denominator is null.
/// Latency percentiles are nearest-rank, within 1 %.
/// </summary>
public sealed record UsageFigures(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Key,
    long Requests,
    long Errors,
    long InputTokens,
    long OutputTokens,
    decimal Cost,
    long CacheableRequests,
    long CacheHits,
    long SemanticCacheHits,
    double? CacheHitRate,
    double? SemanticCacheHitRate,
    double? ErrorRate,
    LatencyFigures LatencyMs);

public sealed record LatencyFigures(double? Mean, double? P50, double? P95, double? P99);
