using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Orchestrator.Model;

namespace Orchestrator.Agents;

public sealed partial class RunSession
{
    // The run's tool calls by id: those this session wrote, and for a resumed run those written before (LoadRecordedCallsAsync).
    private readonly Dictionary<string, ToolCall> _recordedCalls = [];

    /// <summary>A resumed run's recorded tool calls, so that a call made before the restart is found and not made again.</summary>
    public async Task LoadRecordedCallsAsync(CancellationToken cancellationToken)
    {
        foreach (var call in await db.ToolCalls.Where(c => c.RunId == run.Id).ToListAsync(cancellationToken))
        {
            _recordedCalls[call.CallId] = call;
        }
    }

    /// <summary>An agent's tool call as Microsoft.Extensions.AI's function invocation makes it (its <c>FunctionInvoker</c>).</summary>
    public async ValueTask<object?> InvokeToolAsync(FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        var call = context.CallContent;
        var record = _recordedCalls.GetValueOrDefault(call.CallId);
        if (record is { State: not ToolCallState.Requested })
        {
            // Made before a restart: its recorded result, not a second call.
            await journal.AppendAsync(run, RunEvents.ToolResult, new ToolResultData(record.Step, call.CallId, record.Tool, record.State == ToolCallState.Succeeded,
                record.Result ?? "", 0, Replayed: true, Cost: 0), cancellationToken);
            return ResultForModel(record);
        }
        if (run.ToolCalls >= definition.Limits.MaxToolCalls)
        {
            Stopped = AgentRunException.Limit("max_tool_calls_exceeded", $"The run reached its limit of {definition.Limits.MaxToolCalls} tool calls.");
            context.Terminate = true;
            return $"Refused: {Stopped.Message}";
        }

        var arguments = Serialize(call.Arguments);
        if (record is null)
        {
            var hash = Sha256(arguments);
            record = new ToolCall
            {
                RunId = run.Id,
                CallId = call.CallId,
                TenantId = run.TenantId,
                Step = run.ModelCalls,
                Tool = call.Name,
                ArgumentsHash = hash,
                IdempotencyKey = Sha256($"{run.Id}:{call.CallId}:{hash}")[..32],
                RequestedAt = time.GetUtcNow(),
            };
            db.ToolCalls.Add(record);
            _recordedCalls[call.CallId] = record;
            journal.Stage(run, RunEvents.ToolCall, new ToolCallEventData(record.Step, call.CallId, call.Name, arguments));
            // Written ahead, in the database and on JetStream (both at once) before the tool runs, so a crash leaves a
            // trace of every call begun.
            await Task.WhenAll(journal.SaveAsync(cancellationToken), events.PublishAsync(ToolCallIntegrationEvent.Requested, Event(record, null, null), cancellationToken));
        }
        else if (!IsIdempotent(context.Function))
        {
            // Begun before a restart with no recorded outcome: a call with side effects is not made a second time.
            return await CompleteAsync(record, await AskOutcomeAsync(context.Function, record, cancellationToken), cancellationToken);
        }
        // The key goes with the call, so a tool can tell this call from another, and one made again from the first.
        (context.Arguments.Context ??= new Dictionary<object, object?>())[McpTools.IdempotencyKeyMeta] = record.IdempotencyKey;

        var started = time.GetTimestamp();
        var limit = TimeoutOf(context.Function);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(limit);
            try
            {
                var result = await context.Function.InvokeAsync(context.Arguments, timeout.Token);
                var (text, answeredBy, attempts) = result is CapabilityResult routed ? (routed.Text, routed.AnsweredBy, routed.Attempts) : (AsText(result), context.Function, null);
                var cost = answeredBy is McpToolFunction { Tool.CostUsd: { } price } ? price : 0;
                record.AnsweredBy = answeredBy.Name;
                return await CompleteAsync(record, new ToolOutcome(true, text, time.GetElapsedTime(started).TotalMilliseconds, cost, answeredBy.Name, attempts), cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return await CompleteAsync(record, new ToolOutcome(false, $"{call.Name} did not answer within {limit.TotalSeconds} s.", time.GetElapsedTime(started).TotalMilliseconds), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not AgentRunException)
        {
            return await CompleteAsync(record, new ToolOutcome(false, ex.Message, time.GetElapsedTime(started).TotalMilliseconds, Attempts: (ex as CapabilityFailedException)?.Attempts), cancellationToken);
        }
    }

    /// <summary>
    /// What became of a call begun before a restart: its tool's outcome tool is asked, by the call's idempotency key;
    /// a tool with none cannot tell, and the call is reported unknown rather than made again.
    /// </summary>
    private static async Task<ToolOutcome> AskOutcomeAsync(AIFunction function, ToolCall record, CancellationToken cancellationToken)
    {
        if (function is not McpToolFunction { Tool.OutcomeTool: { } outcomeTool } mcp)
        {
            return new ToolOutcome(false, "The call's outcome is unknown (the run was interrupted while it ran); it was not made again.", 0);
        }
        try
        {
            var result = await mcp.CallAsync(outcomeTool, new Dictionary<string, object?> { [McpTools.IdempotencyKeyMeta] = record.IdempotencyKey }, null, cancellationToken);
            return new ToolOutcome(true, result, 0, mcp.Tool.CostUsd ?? 0, AnsweredBy: $"{mcp.Name} (outcome from {outcomeTool})");
        }
        catch (Exception ex) when (ex is ToolFailedException or HttpRequestException or ModelContextProtocol.McpException)
        {
            return new ToolOutcome(false, $"The call's outcome is unknown: {outcomeTool} says {ex.Message}", 0);
        }
    }

    /// <summary>
    /// A run that failed undoes what its tools did: each successful call whose tool (for a capability, the tool that
    /// answered) declares a compensation, newest first, is compensated once (recorded, so a run finished again after a restart does not do it twice).
    /// </summary>
    public async Task CompensateAsync(CancellationToken cancellationToken)
    {
        var done = await db.ToolCalls.Where(c => c.RunId == run.Id && c.State == ToolCallState.Succeeded).OrderByDescending(c => c.RequestedAt).ToListAsync(cancellationToken);
        foreach (var call in done)
        {
            // A capability's call is undone by the tool of it that answered.
            var function = _tools.GetValueOrDefault(call.Tool) is CapabilityFunction capability
                ? capability.Tools.FirstOrDefault(t => t.Name == call.AnsweredBy)
                : _tools.GetValueOrDefault(call.Tool);
            if (function is not McpToolFunction { Tool: { CompensationTool: { } undo, CompensationArgument: { } argument } } mcp)
            {
                continue;
            }
            string result;
            bool ok;
            try
            {
                result = await mcp.CallAsync(undo, new Dictionary<string, object?> { [argument] = call.Result }, $"{call.IdempotencyKey}:compensation", cancellationToken);
                ok = true;
                call.State = ToolCallState.Compensated;
            }
            catch (Exception ex) when (ex is ToolFailedException or HttpRequestException or ModelContextProtocol.McpException)
            {
                (result, ok) = (ex.Message, false);
            }
            await journal.AppendAsync(run, RunEvents.ToolCompensated, new ToolCompensatedData(call.Step, call.CallId, call.Tool, undo, ok, result), cancellationToken);
            await events.PublishAsync(ToolCallIntegrationEvent.Compensated, Event(call, null, ok ? null : result), cancellationToken);
        }
    }

    /// <summary>Built-in tools get 30 seconds, an MCP server's tools its own timeout; a capability times each attempt itself.</summary>
    private static TimeSpan TimeoutOf(AIFunction function) => function switch
    {
        McpToolFunction mcp => mcp.Timeout,
        CapabilityFunction => Timeout.InfiniteTimeSpan,
        _ => TimeSpan.FromSeconds(30),
    };

    private async Task<string> CompleteAsync(ToolCall record, ToolOutcome outcome, CancellationToken cancellationToken)
    {
        var (ok, result, durationMs, cost) = (outcome.Ok, outcome.Result, outcome.DurationMs, outcome.Cost);
        record.State = ok ? ToolCallState.Succeeded : ToolCallState.Failed;
        record.Result = result;
        record.CompletedAt = time.GetUtcNow();
        run.ToolCalls++;
        run.Cost += cost;
        journal.Stage(run, RunEvents.ToolResult,
            new ToolResultData(record.Step, record.CallId, record.Tool, ok, result, durationMs, Replayed: false, cost, outcome.AnsweredBy, outcome.Attempts));
        await Task.WhenAll(journal.SaveAsync(cancellationToken),
            events.PublishAsync(ok ? ToolCallIntegrationEvent.Succeeded : ToolCallIntegrationEvent.Failed, Event(record, durationMs, ok ? null : result), cancellationToken));
        if (cost > 0)
        {
            // A priced tool call is usage of its own, billed beside the run's model calls.
            await events.PublishAsync(UsageIntegrationEvent.Subject, new UsageIntegrationEvent
            {
                TenantId = run.TenantId,
                KeyId = run.KeyId,
                Endpoint = "agent.tool",
                Model = $"mcp/{outcome.AnsweredBy}",
                Provider = "mcp",
                Cost = cost,
                LatencyMs = durationMs,
                StatusCode = StatusCodes.Status200OK,
                RunId = run.Id,
            }, cancellationToken);
        }
        return ResultForModel(record);
    }

    private static string ResultForModel(ToolCall record) => record.State == ToolCallState.Succeeded ? record.Result ?? "" : $"Error: {record.Result}";

    private ToolCallIntegrationEvent Event(ToolCall record, double? durationMs, string? error) => new()
    {
        TenantId = run.TenantId,
        RunId = run.Id,
        Step = record.Step,
        CallId = record.CallId,
        Tool = record.Tool,
        ArgumentsHash = record.ArgumentsHash,
        IdempotencyKey = record.IdempotencyKey,
        DurationMs = durationMs,
        Error = error,
    };

    /// <summary>Built-in tools only read, or (<c>remember</c>) add a fact at most once; an MCP tool may be repeated when its server says it is idempotent or read-only.</summary>
    public static bool IsIdempotent(AIFunction function) => function switch
    {
        McpToolFunction mcp => mcp.Tool.Idempotent,
        CapabilityFunction capability => capability.Idempotent,
        _ => true,
    };

    public static string AsText(object? result) => result switch
    {
        JsonElement { ValueKind: JsonValueKind.String } text => text.GetString() ?? "",
        JsonElement json => json.GetRawText(),
        null => "",
        _ => result.ToString() ?? "",
    };

    /// <summary>How a tool call ended: its result or error, what it cost, and for a capability which tool answered after which attempts.</summary>
    private sealed record ToolOutcome(bool Ok, string Result, double DurationMs, decimal Cost = 0, string? AnsweredBy = null, IReadOnlyList<ToolAttemptData>? Attempts = null);
}
