using System.Text.Json;
using Microsoft.Extensions.AI;
using Orchestrator.Model;

namespace Orchestrator.Agents;

public sealed partial class RunSession
{
    /// <summary>An agent's tool call as Microsoft.Extensions.AI's function invocation makes it (its <c>FunctionInvoker</c>).</summary>
    public async ValueTask<object?> InvokeToolAsync(FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        var call = context.CallContent;
        var record = await db.ToolCalls.FindAsync([run.Id, call.CallId], cancellationToken);
        if (record is { State: ToolCallState.Succeeded or ToolCallState.Failed })
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
            await journal.AppendAsync(run, RunEvents.ToolCall, new ToolCallEventData(record.Step, call.CallId, call.Name, arguments), cancellationToken);
            // Written ahead: stored on JetStream before the tool runs, so a crash leaves a trace of every call begun.
            await events.PublishAsync(ToolCallIntegrationEvent.Requested, Event(record, null, null), cancellationToken);
        }
        else if (!IsIdempotent(context.Function))
        {
            // Begun before a restart with no recorded outcome: a call with side effects is not made a second time.
            return await CompleteAsync(record, ok: false, "The call's outcome is unknown (the run was interrupted while it ran); it was not repeated.", 0, cost: 0, cancellationToken);
        }

        var started = time.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(context.Function is McpToolFunction mcp ? mcp.Timeout : ToolTimeout);
            try
            {
                var result = await context.Function.InvokeAsync(context.Arguments, timeout.Token);
                var cost = context.Function is McpToolFunction { Tool.CostUsd: { } price } ? price : 0;
                return await CompleteAsync(record, ok: true, AsText(result), time.GetElapsedTime(started).TotalMilliseconds, cost, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return await CompleteAsync(record, ok: false, $"{call.Name} did not answer within {(context.Function is McpToolFunction m ? m.Timeout : ToolTimeout).TotalSeconds} s.",
                    time.GetElapsedTime(started).TotalMilliseconds, 0, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not AgentRunException)
        {
            return await CompleteAsync(record, ok: false, ex.Message, time.GetElapsedTime(started).TotalMilliseconds, 0, cancellationToken);
        }
    }

    /// <summary>Default for built-in tools; an MCP server's own timeout for its tools.</summary>
    public static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);

    private async Task<string> CompleteAsync(ToolCall record, bool ok, string result, double durationMs, decimal cost, CancellationToken cancellationToken)
    {
        record.State = ok ? ToolCallState.Succeeded : ToolCallState.Failed;
        record.Result = result;
        record.CompletedAt = time.GetUtcNow();
        run.ToolCalls++;
        run.Cost += cost;
        await journal.AppendAsync(run, RunEvents.ToolResult, new ToolResultData(record.Step, record.CallId, record.Tool, ok, result, durationMs, Replayed: false, cost), cancellationToken);
        await events.PublishAsync(ok ? ToolCallIntegrationEvent.Succeeded : ToolCallIntegrationEvent.Failed, Event(record, durationMs, ok ? null : result), cancellationToken);
        if (cost > 0)
        {
            // A priced tool call is usage of its own, billed beside the run's model calls.
            await events.PublishAsync(UsageIntegrationEvent.Subject, new UsageIntegrationEvent
            {
                TenantId = run.TenantId,
                KeyId = run.KeyId,
                Endpoint = "agent.tool",
                Model = $"mcp/{record.Tool}",
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

    // Built-in tools only read; an MCP tool may be repeated when its server says it is idempotent or read-only.
    private static bool IsIdempotent(AIFunction function) => function is not McpToolFunction mcp || mcp.Tool.Idempotent;

    private static string AsText(object? result) => result switch
    {
        JsonElement { ValueKind: JsonValueKind.String } text => text.GetString() ?? "",
        JsonElement json => json.GetRawText(),
        null => "",
        _ => result.ToString() ?? "",
    };
}
