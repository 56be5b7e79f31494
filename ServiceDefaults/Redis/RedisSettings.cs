using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>Settings of the Redis client, bound from <c>Aspire:StackExchange:Redis</c>.</summary>
public sealed class RedisSettings
{
    /// <summary>Taken from <c>ConnectionStrings:{name}</c> when not set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Default false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Default false.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>
    /// Default unhealthy: what the health check reports while Redis is away; degraded for a service that works on
    /// without it (the service stays ready).
    /// </summary>
    public HealthStatus HealthCheckFailureStatus { get; set; } = HealthStatus.Unhealthy;

    /// <summary>Default 3 seconds: a health probe must answer quickly even when Redis is gone.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
