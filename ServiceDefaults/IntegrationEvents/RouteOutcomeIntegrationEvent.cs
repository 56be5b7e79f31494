namespace Microsoft.Extensions.Hosting;

/// <summary>How a route went, attempt by attempt: what the Router learns success, latency and quality from.</summary>
public sealed record RouteOutcomeIntegrationEvent : IntegrationEvent
{
    public const string Subject = "usage.route";

    public Guid TenantId { get; init; }

    public string? DecisionId { get; init; }

    public string? Intent { get; init; }

    public string Strategy { get; init; } = RouteStrategies.Single;

    /// <summary>The model whose answer was returned; null when none was.</summary>
    public string? AnsweredBy { get; init; }

    public IList<RouteAttempt> Attempts { get; init; } = [];
}

/// <summary>One try of one model; its outcome is one of <see cref="AttemptOutcomes"/>.</summary>
public sealed record RouteAttempt(string Model, string Outcome, double LatencyMs, string? Error = null);

public static class AttemptOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>Not tried: its circuit was open.</summary>
    public const string Skipped = "skipped";

    /// <summary>Answered, but the answer failed its quality check (cascade).</summary>
    public const string Rejected = "rejected";

    /// <summary>Stopped because another hedged attempt won.</summary>
    public const string Cancelled = "cancelled";
}
