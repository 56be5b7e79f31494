using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using NATS.Client.Core;
using Orchestrator.Infrastructure;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// Writes a run's steps: each event with the run's checkpoint and counters in one transaction (numbered without gaps,
/// so a follower resumes from the last number it saw), then told to live followers on any replica over NATS. The
/// model's tokens go to followers live only: the step's event carries its whole text.
/// </summary>
public sealed class RunJournal(OrchestratorDbContext db, INatsConnection nats, TimeProvider time)
{
    // Events written with the next save: a step's event waits for the write that must follow it anyway (a tool call's
    // write-ahead, the run's end), so a step costs one transaction rather than two.
    private readonly List<(Guid RunId, LiveRunMessage Message)> _staged = [];

    public static string LiveSubject(Guid runId) => $"live.agent-runs.{runId:N}";

    /// <summary>Writes the event, with the run's checkpoint and any staged events, and tells live followers.</summary>
    public async Task AppendAsync(AgentRun run, string type, object data, CancellationToken cancellationToken)
    {
        Stage(run, type, data);
        await SaveAsync(cancellationToken);
    }

    /// <summary>Numbers the event and adds it to the unit of work: stored and told by the next <see cref="SaveAsync"/>.</summary>
    public void Stage(AgentRun run, string type, object data)
    {
        var json = JsonSerializer.SerializeToElement(data, RunEvents.Json);
        run.LastEventSeq++;
        db.AgentRunEvents.Add(new AgentRunEvent { RunId = run.Id, TenantId = run.TenantId, Seq = run.LastEventSeq, Type = type, Data = json, CreatedAt = time.GetUtcNow() });
        _staged.Add((run.Id, new LiveRunMessage(run.LastEventSeq, type, json)));
    }

    /// <summary>Saves the unit of work (the run, its staged events, what else changed) in one transaction, then tells live followers.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        // A save with events is one batch of a few rows, and Npgsql sends a batch with a single Sync: PostgreSQL runs
        // it as one implicit transaction, all or nothing, so it needs no BEGIN and COMMIT round trips of its own. (Its
        // first event's key, run and number, is what a second writer of the run would collide on, failing the whole.)
        db.Database.AutoTransactionBehavior = _staged.Count > 0 ? AutoTransactionBehavior.Never : AutoTransactionBehavior.WhenNeeded;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.Database.AutoTransactionBehavior = AutoTransactionBehavior.WhenNeeded;
        }
        foreach (var (runId, message) in _staged)
        {
            await PublishAsync(runId, message);
        }
        _staged.Clear();
    }

    /// <summary>Sets the run's conversation to <paramref name="messages"/>; saved with the next event.</summary>
    public static void Checkpoint(AgentRun run, IEnumerable<ChatMessage> messages) => run.Messages = [.. messages];

    public ValueTask DeltaAsync(Guid runId, int step, string text) =>
        PublishAsync(runId, new LiveRunMessage(null, RunEvents.Delta, JsonSerializer.SerializeToElement(new DeltaData(step, text), RunEvents.Json)));

    private async ValueTask PublishAsync(Guid runId, LiveRunMessage message)
    {
        try
        {
            await nats.PublishAsync(LiveSubject(runId), JsonSerializer.SerializeToUtf8Bytes(message, RunEvents.Json));
        }
        catch (NatsException)
        {
            // Live delivery is best effort: followers read the stored events again within a second.
        }
    }
}

/// <summary>What live followers receive: a stored event (with its number) or a model's text as it comes (without).</summary>
public sealed record LiveRunMessage(int? Seq, string Type, JsonElement Data);
