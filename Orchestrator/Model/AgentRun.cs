using Microsoft.Extensions.AI;

namespace Orchestrator.Model;

/// <summary>
/// One execution of an agent version: its input, the conversation as of its last checkpoint (so another replica can
/// go on from there), what it has used and how it ended.
/// </summary>
public sealed class AgentRun
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The API key that started the run: every model call is made, limited and billed as that key.</summary>
    public Guid KeyId { get; set; }

    public Guid AgentId { get; set; }

    public required string AgentName { get; set; }

    public int AgentVersion { get; set; }

    public AgentRunState State { get; set; } = AgentRunState.Queued;

    /// <summary>Whom the run is for (OpenAI's <c>user</c>; the key when none is given): whose memory it reads and writes.</summary>
    public required string User { get; set; }

    /// <summary>The conversation the run continues, if any: its earlier turns are the agent's hot memory.</summary>
    public string? Conversation { get; set; }

    /// <summary>The input's last user message: what memory is recalled for, and remembered with the answer.</summary>
    public string Question { get; set; } = "";

    /// <summary>The conversation so far: the input, then every model answer and tool result, saved after each step.</summary>
    public required List<ChatMessage> Messages { get; set; }

    /// <summary>The number of the last event written; events are numbered from 1 without gaps.</summary>
    public int LastEventSeq { get; set; }

    public int ModelCalls { get; set; }

    public int ToolCalls { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    /// <summary>USD: the sum of its model calls' and priced tool calls' costs.</summary>
    public decimal Cost { get; set; }

    public string? Answer { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public bool CancelRequested { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public bool IsFinished => State is AgentRunState.Succeeded or AgentRunState.Failed or AgentRunState.Cancelled;
}

public enum AgentRunState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
