namespace Orchestrator.Model;

/// <summary>
/// A tool call of a run, written before the tool runs and completed after: a run resumed elsewhere finds the result of
/// a call that succeeded instead of making it again.
/// </summary>
public sealed class ToolCall
{
    public Guid RunId { get; set; }

    /// <summary>The model's id for the call, unique within the run.</summary>
    public required string CallId { get; set; }

    public Guid TenantId { get; set; }

    public int Step { get; set; }

    public required string Tool { get; set; }

    /// <summary>The tool that answered: for a capability's call, the one of its tools whose compensation undoes it.</summary>
    public string? AnsweredBy { get; set; }

    /// <summary>SHA-256 of the arguments as the model sent them.</summary>
    public required string ArgumentsHash { get; set; }

    /// <summary>The run, the call and its arguments: what a tool may use to recognise a call it has already done.</summary>
    public required string IdempotencyKey { get; set; }

    public ToolCallState State { get; set; } = ToolCallState.Requested;

    public string? Result { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}

public enum ToolCallState
{
    Requested,
    Succeeded,
    Failed,

    /// <summary>Succeeded, then undone by its compensation when the run failed.</summary>
    Compensated,
}
