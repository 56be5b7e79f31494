namespace Analytics.Model;

/// <summary>One minute of a tenant's usage through one key and model: the sums every KPI is computed from.</summary>
public sealed class UsageRollup
{
    public Guid TenantId { get; set; }

    public DateTimeOffset Minute { get; set; }

    /// <summary><c>provider/model</c>, or <c>none</c> when the request reached no model.</summary>
    public string Model { get; set; } = "";

    public string Provider { get; set; } = "";

    public Guid KeyId { get; set; }

    public long Requests { get; set; }

    /// <summary>Requests answered with a status of 400 or more.</summary>
    public long Errors { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public decimal Cost { get; set; }

    public long CacheHits { get; set; }

    public long SemanticCacheHits { get; set; }

    /// <summary>Requests the caches were asked about: exact hits, semantic hits and misses.</summary>
    public long CacheableRequests { get; set; }

    public double LatencyMsSum { get; set; }
}
