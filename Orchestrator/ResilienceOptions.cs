namespace Orchestrator;

/// <summary>How provider calls are protected, bound from <c>Resilience</c>.</summary>
public sealed class ResilienceOptions
{
    /// <summary>Default 60 seconds for one attempt (to the first token when streaming).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Default 2 retries of a retryable failure (429, 5xx, timeouts), with exponential backoff and jitter.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Default 200 ms, the first backoff.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Default 10 seconds: a provider's Retry-After longer than this is not waited for; the next candidate is tried.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Default 0.5: the circuit opens when this share of calls fails (so 5 failures in a row open it).</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Default 5 calls in the sampling window before the ratio counts.</summary>
    public int MinimumThroughput { get; set; } = 5;

    /// <summary>Default 30 seconds.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Default 60 seconds open before a half-open probe.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Default 5 seconds between active probes of open circuits, so user requests never serve as the trial.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);
}
