namespace Analytics;

/// <summary>Read-model settings, bound from <c>Analytics</c>.</summary>
public sealed class AnalyticsOptions
{
    /// <summary>Default 1,440: the most time buckets one query may ask for (a day of minutes, 60 days of hours).</summary>
    public int MaxBuckets { get; set; } = 1440;

    /// <summary>Default 5 minutes: the window the <c>cache_hit_rate</c> gauge covers.</summary>
    public TimeSpan CacheHitRateWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Default 15 seconds: how often the gauge is read again from the rollups (never in the scrape).</summary>
    public TimeSpan CacheHitRateRefresh { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Default 14 days: how long processed event ids are remembered; longer than the USAGE stream keeps events
    /// (7 days), so no redelivery can outlive its id.
    /// </summary>
    public TimeSpan LedgerRetention { get; set; } = TimeSpan.FromDays(14);
}
