namespace Platform.Contracts;

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
