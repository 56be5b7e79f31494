using System.ClientModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using NATS.Client.Core;
using Orchestrator.Infrastructure;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// Runs an agent run from its last checkpoint to its end: Microsoft.Extensions.AI's function invocation loop over the
/// agent's model (through the Gateway) and tools, each step recorded (<see cref="RunSession"/>). A run that ends by
/// a limit, a refusal or a cancellation is recorded as such; a fault of the platform's own (the database away) is
/// thrown, and the run's job comes back to resume from the checkpoint.
/// </summary>
public sealed partial class AgentRunner(
    OrchestratorDbContext db,
    RunJournal journal,
    RunToolsFactory toolsFactory,
    AgentMemory memory,
    GatewayModels models,
    EventPublisher events,
    ModelCatalog catalog,
    INatsConnection nats,
    TimeProvider time,
    ILogger<AgentRunner> logger)
{
    public static string CancelSubject(Guid runId) => $"live.agent-runs.{runId:N}.cancel";

    public async Task RunAsync(Guid runId, CancellationToken cancellationToken)
    {
        // One connection for the whole run (closed with the run's scope; at most the consumer's 16 runs at once): each
        // step's save then costs no pool rent, tenant setting or session reset, only its own round trip.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var run = await db.AgentRuns.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null || run.IsFinished)
        {
            return;
        }
        var definition = (await db.AgentVersions.AsNoTracking().FirstAsync(v => v.AgentId == run.AgentId && v.Version == run.AgentVersion, cancellationToken)).Definition;
        var resumed = run.State == AgentRunState.Running;
        if (!resumed)
        {
            // Saved with the first step: a run whose replica dies before then is still queued, and starts again.
            run.State = AgentRunState.Running;
            run.StartedAt = time.GetUtcNow();
            journal.Stage(run, RunEvents.Started, new StartedData(run.AgentName, run.AgentVersion, definition.Model));
        }
        if (run.CancelRequested)
        {
            await FinishAsync(run, null, cancellationToken);
            return;
        }

        // The run's time counts from its start, across restarts; a cancellation arrives on the run's subject.
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var remaining = TimeSpan.FromSeconds(definition.Limits.MaxSeconds) - (time.GetUtcNow() - run.StartedAt!.Value);
        running.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        var cancelled = false;
        var watching = WatchCancellationAsync(run.Id, () =>
        {
            cancelled = true;
            running.Cancel();
        }, running.Token);

        ExecutionError? error;
        await using (var tools = await toolsFactory.CreateAsync(run, definition, cancellationToken))
        {
            var model = models.For(run, definition.Model);
            var session = new RunSession(run, definition, tools.Functions, model, db, journal, events, catalog, time);
            if (resumed)
            {
                await session.LoadRecordedCallsAsync(cancellationToken);
            }
            var reviewer = definition.Critic is { } critic ? models.For(run, critic.Model) : null;
            error = await ExecuteAsync(session, model.Client, reviewer, () => cancelled, running.Token, cancellationToken);
            if (error is not null || cancelled)
            {
                await session.CompensateAsync(cancellationToken);
            }
            else
            {
                await session.RememberAsync(memory, logger, cancellationToken);
            }
        }
        await running.CancelAsync();
        await watching;
        await FinishAsync(run, error, cancellationToken, cancelled);
    }

    /// <summary>Ends a run that could not be run to its end.</summary>
    public async Task FailAsync(Guid runId, ExecutionError error, CancellationToken cancellationToken)
    {
        if (await db.AgentRuns.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken) is { IsFinished: false } run)
        {
            await FinishAsync(run, error, cancellationToken);
        }
    }

    /// <summary>The loop, until an answer (null) or why it stopped; with a critic, until a draft passes or the retries are spent.</summary>
    private async Task<ExecutionError?> ExecuteAsync(
        RunSession session, IChatClient model, GatewayModels.RunModelClient? reviewer, Func<bool> cancelled, CancellationToken running, CancellationToken stopping)
    {
        using var client = new ChatClientBuilder(model)
            .UseFunctionInvocation(configure: loop =>
            {
                loop.FunctionInvoker = session.InvokeToolAsync;
                loop.IncludeDetailedErrors = true;
                // The run's own limit ends it with an error first (RunSession); this one only must not cut it short.
                loop.MaximumIterationsPerRequest = int.MaxValue;
            })
            .Use(inner => new RunStepChatClient(inner, session, journal))
            .Build();
        try
        {
            await session.RecallMemoryAsync(memory, running);
            await session.CompletePendingCallsAsync(running);
            for (var round = 1; ; round++)
            {
                // After a restart the last step may be the answer already.
                if (session.Run.Messages.LastOrDefault() is not { Role.Value: "assistant" } last || last.Contents.OfType<FunctionCallContent>().Any())
                {
                    await foreach (var _ in client.GetStreamingResponseAsync(session.Run.Messages, new ChatOptions { Tools = [.. session.Tools] }, running))
                    {
                        // The steps are recorded below the loop, by RunStepChatClient and the tool invoker.
                    }
                    if (session.Stopped is { } stopped)
                    {
                        return stopped.Error;
                    }
                }
                if (session.Critic is not { } critic)
                {
                    return null;
                }
                var (passed, verdict) = await session.ReviewAsync(critic, reviewer!, round, running);
                if (passed || round > critic.MaxRetries)
                {
                    return null;
                }
                session.Redraft(verdict, critic.Threshold);
            }
        }
        catch (AgentRunException ex)
        {
            return ex.Error;
        }
        catch (ClientResultException ex)
        {
            // A model call the Gateway refused or failed: the run ends with its error (a limit, a budget, a provider down).
            return GatewayErrors.From(ex);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return cancelled() ? null : AgentRunException.Limit("time_limit_exceeded", "The run reached its time limit.").Error;
        }
    }

    private async Task FinishAsync(AgentRun run, ExecutionError? error, CancellationToken cancellationToken, bool cancelled = false)
    {
        run.FinishedAt = time.GetUtcNow();
        var usage = new RunUsageData(run.InputTokens, run.OutputTokens);
        if (cancelled || (error is null && run.CancelRequested))
        {
            run.State = AgentRunState.Cancelled;
            await journal.AppendAsync(run, RunEvents.Cancelled, new FailedData(new ExecutionError(499, "The run was cancelled.", "cancelled", "run_cancelled"), usage, run.Cost), cancellationToken);
        }
        else if (error is null)
        {
            run.State = AgentRunState.Succeeded;
            await journal.AppendAsync(run, RunEvents.Succeeded, new SucceededData(run.Answer ?? "", usage, run.Cost), cancellationToken);
        }
        else
        {
            run.State = AgentRunState.Failed;
            run.ErrorCode = error.Code ?? error.Type;
            run.ErrorMessage = error.Message;
            await journal.AppendAsync(run, RunEvents.Failed, new FailedData(error, usage, run.Cost), cancellationToken);
        }
        Log.Finished(logger, run.Id, run.AgentName, run.State, run.ModelCalls, run.ToolCalls);
    }

    private async Task WatchCancellationAsync(Guid runId, Action cancel, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in nats.SubscribeAsync<byte[]>(CancelSubject(runId), cancellationToken: cancellationToken))
            {
                cancel();
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Agent run {RunId} of {Agent} ended {State} after {ModelCalls} model calls and {ToolCalls} tool calls.")]
        public static partial void Finished(ILogger logger, Guid runId, string agent, AgentRunState state, int modelCalls, int toolCalls);
    }
}
