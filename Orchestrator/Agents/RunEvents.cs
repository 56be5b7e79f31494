using System.Text.Json;

namespace Orchestrator.Agents;

/// <summary>The events of a run, in order: what a follower of <c>/events</c> and the run's record show.</summary>
public static class RunEvents
{
    public const string Started = "run.started";
    public const string ModelStep = "model.step";
    public const string ToolCall = "tool.call";
    public const string ToolResult = "tool.result";
    public const string ToolRefused = "tool.refused";
    public const string ToolCompensated = "tool.compensated";
    public const string CriticReview = "critic.review";
    public const string MemoryRecalled = "memory.recalled";
    public const string Succeeded = "run.succeeded";
    public const string Failed = "run.failed";
    public const string Cancelled = "run.cancelled";

    /// <summary>Live only: a piece of a model's text as it streams.</summary>
    public const string Delta = "delta";

    /// <summary>Sent to a follower after a quiet while, so proxies keep the connection.</summary>
    public const string Ping = "ping";

    /// <summary>Snake case, as the rest of the <c>/v1</c> API.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static bool Ends(string type) => type is Succeeded or Failed or Cancelled;
}

public sealed record StartedData(string Agent, int Version, string Model);

/// <summary>
/// A model call of the run, <see cref="DurationMs"/> the time inside the call itself; a <see cref="Draft"/>'s text is
/// not the answer until its review passes.
/// </summary>
public sealed record ModelStepData(
    int Step, string? Model, long InputTokens, long OutputTokens, decimal Cost, double DurationMs, string Text, IReadOnlyList<ToolCallData> ToolCalls, bool Draft);

public sealed record CriticReviewData(
    int Round, string? DraftModel, string? Model, double Score, double Groundedness, double Adherence, double Tone, string Reasons, bool Passed, string Draft, decimal Cost);

public sealed record ToolCallData(string Id, string Name, string Arguments);

public sealed record ToolCallEventData(int Step, string CallId, string Tool, string Arguments);

public sealed record ToolResultData(
    int Step, string CallId, string Tool, bool Ok, string Result, double DurationMs, bool Replayed, decimal Cost, string? AnsweredBy = null, IReadOnlyList<ToolAttemptData>? Attempts = null);

/// <summary>One tool a capability tried: whether it answered, or why not (<c>error</c>, <c>timeout</c>, <c>circuit_open</c>, <c>bulkhead_full</c>).</summary>
public sealed record ToolAttemptData(string Tool, bool Ok, string? Reason, string? Error);

public sealed record ToolCompensatedData(int Step, string CallId, string Tool, string Compensation, bool Ok, string Result);

public sealed record ToolRefusedData(int Step, string CallId, string Tool, string Reason);

/// <summary>What an agent with memory began with: the conversation's turns (and summary) and the memories recalled.</summary>
public sealed record MemoryRecalledData(string User, string? Conversation, int Turns, string? Summary, decimal SummaryCost, IReadOnlyList<RecalledMemoryData> Recalled);

public sealed record RecalledMemoryData(string Kind, string Text, double Score);

public sealed record RunUsageData(long InputTokens, long OutputTokens);

public sealed record SucceededData(string Answer, RunUsageData Usage, decimal Cost);

public sealed record FailedData(ExecutionError Error, RunUsageData Usage, decimal Cost);

public sealed record DeltaData(int Step, string Text);
