namespace Gateway;

/// <summary>Requests and tokens per minute by plan, bound from <c>RateLimits</c>; a key may set tighter limits of its own.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Defaults: free 60 RPM / 100k TPM, pro 600 / 2M, enterprise 1M / 1G (high enough for load tests).</summary>
    public Dictionary<string, PlanLimits> Plans { get; set; } = new()
    {
        ["free"] = new(60, 100_000),
        ["pro"] = new(600, 2_000_000),
        ["enterprise"] = new(1_000_000, 1_000_000_000),
    };
}

public sealed record PlanLimits(int RequestsPerMinute, int TokensPerMinute);
