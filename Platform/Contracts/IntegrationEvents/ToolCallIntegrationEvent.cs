namespace Platform.Contracts;

/// <summary>
/// A tool call of an agent run, written ahead: <c>tool.call.requested</c> is stored before the tool runs, then
/// <c>tool.call.succeeded</c> or <c>tool.call.failed</c> after; a compensation is <c>tool.call.compensated</c>.
/// </summary>
public sealed record ToolCallIntegrationEvent : IntegrationEvent
{
    public const string Requested = "tool.call.requested";
    public const string Succeeded = "tool.call.succeeded";
    public const string Failed = "tool.call.failed";
    public const string Compensated = "tool.call.compensated";

    public Guid TenantId { get; init; }

    public Guid RunId { get; init; }

    public int Step { get; init; }

    public string CallId { get; init; } = "";

    public string Tool { get; init; } = "";

    /// <summary>SHA-256 of the arguments, hex: the arguments themselves may hold what the tenant would not publish.</summary>
    public string ArgumentsHash { get; init; } = "";

    public string IdempotencyKey { get; init; } = "";

    public double? DurationMs { get; init; }

    public string? Error { get; init; }
}
