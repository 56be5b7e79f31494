using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using NATS.Client.Core;
using Orchestrator.Agents;
using Orchestrator.Infrastructure;
using Orchestrator.IntegrationEvents;
using Orchestrator.Model;

namespace Orchestrator.Apis;

/// <summary>
/// Runs of the tenant's agents, reached as <c>/v1/agents/…</c> through the Gateway (so errors are OpenAI's shape):
/// start one (it runs as a job, durably), read it with its steps, follow its events (SSE, resumable from an event's
/// number with <c>Last-Event-ID</c>), cancel it. A run acts as the API key that started it.
/// </summary>
public static class AgentRunsApi
{
    /// <summary>The path segment of runs, which no agent may be named.</summary>
    public const string RunsSegment = "runs";

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // Proxies drop a connection quiet for long (YARP after 100 s): a run waiting on a slow tool sends a ping.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapAgentRunsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/orchestrator/agents").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapPost("/{name}/runs", StartRun);
        api.MapGet("/runs", ListRuns);
        api.MapGet("/runs/{id:guid}", GetRun);
        api.MapGet("/runs/{id:guid}/events", FollowRun);
        api.MapPost("/runs/{id:guid}/cancel", CancelRun);
        return app;
    }

    public static async Task<IResult> StartRun(
        string name, RunRequest request, HttpContext http, OrchestratorDbContext db, TenantContext tenant, EventPublisher events, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(http.User.FindFirst(InternalTokenClaims.KeyId)?.Value, out var keyId))
        {
            return Error(StatusCodes.Status403Forbidden, "A run is started with an API key: it runs, and is billed, as that key.", "permission_error", "key_required");
        }
        if (request.ToConversation() is not { Count: > 0 } input)
        {
            return Error(StatusCodes.Status400BadRequest, "Give the run an 'input' (text) or 'messages' (role and content, roles system, user or assistant).", "invalid_request_error", "invalid_input", "input");
        }
        foreach (var (value, param) in new[] { (request.User, "user"), (request.Conversation, "conversation") })
        {
            if (value is { } given && (given.Length is 0 or > OrchestratorDbContext.MemoryUserMaxLength || given.Any(char.IsControl)))
            {
                return Error(StatusCodes.Status400BadRequest, $"'{param}' must be 1 to {OrchestratorDbContext.MemoryUserMaxLength} characters, without control characters.", "invalid_request_error", $"invalid_{param}", param);
            }
        }
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Name == name, cancellationToken);
        if (agent is null)
        {
            return Error(StatusCodes.Status404NotFound, $"The agent '{name}' does not exist.", "invalid_request_error", "agent_not_found");
        }
        var definition = (await db.AgentVersions.AsNoTracking().FirstAsync(v => v.AgentId == agent.Id && v.Version == agent.CurrentVersion, cancellationToken)).Definition;
        var run = new AgentRun
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.RequiredTenantId,
            KeyId = keyId,
            AgentId = agent.Id,
            AgentName = agent.Name,
            AgentVersion = agent.CurrentVersion,
            User = request.User ?? AgentMemory.KeyUser(keyId),
            Conversation = request.Conversation,
            Question = input.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "",
            Messages = [new ChatMessage(ChatRole.System, definition.Instructions), .. input],
            CreatedAt = time.GetUtcNow(),
        };
        db.AgentRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        // Stored first, queued second: a run whose job was not queued stays visible as queued, and is never lost unseen.
        await events.PublishAsync(AgentRunRequestedIntegrationEvent.Subject, new AgentRunRequestedIntegrationEvent { Id = run.Id, TenantId = run.TenantId, RunId = run.Id }, cancellationToken);
        return TypedResults.Json(RunView.Of(run, []), RunEvents.Json, statusCode: StatusCodes.Status202Accepted);
    }

    public static async Task<IResult> ListRuns(OrchestratorDbContext db, string? agent, int? limit, CancellationToken cancellationToken)
    {
        var runs = await db.AgentRuns.AsNoTracking().Where(r => agent == null || r.AgentName == agent)
            .OrderByDescending(r => r.CreatedAt).Take(Math.Clamp(limit ?? 20, 1, 100)).ToListAsync(cancellationToken);
        return TypedResults.Json(new { @object = "list", data = runs.ConvertAll(r => RunView.Of(r, null)) }, RunEvents.Json);
    }

    public static async Task<IResult> GetRun(Guid id, OrchestratorDbContext db, CancellationToken cancellationToken)
    {
        var run = await db.AgentRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (run is null)
        {
            return NotFound(id);
        }
        var steps = await db.AgentRunEvents.AsNoTracking().Where(e => e.RunId == id).OrderBy(e => e.Seq).ToListAsync(cancellationToken);
        return TypedResults.Json(RunView.Of(run, steps), RunEvents.Json);
    }

    public static async Task<IResult> CancelRun(Guid id, OrchestratorDbContext db, INatsConnection nats, CancellationToken cancellationToken)
    {
        var run = await db.AgentRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (run is null)
        {
            return NotFound(id);
        }
        if (!run.IsFinished)
        {
            run.CancelRequested = true;
            await db.SaveChangesAsync(cancellationToken);
            await nats.PublishAsync(AgentRunner.CancelSubject(id), Array.Empty<byte>(), cancellationToken: cancellationToken);
        }
        return TypedResults.Json(RunView.Of(run, null), RunEvents.Json, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The run's events from after <c>Last-Event-ID</c> (or <c>?after=</c>), then live until it ends.</summary>
    public static async Task<IResult> FollowRun(Guid id, HttpContext http, OrchestratorDbContext db, INatsConnection nats, int? after, CancellationToken cancellationToken)
    {
        if (!await db.AgentRuns.AnyAsync(r => r.Id == id, cancellationToken))
        {
            return NotFound(id);
        }
        var from = int.TryParse(http.Request.Headers["Last-Event-ID"], out var lastEventId) ? lastEventId : after ?? 0;
        // The headers go at once, so a follower of a run still waiting for its turn knows it is connected.
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.StartAsync(cancellationToken);
        await SseFormatter.WriteAsync(FollowAsync(id, from, db, nats, cancellationToken), http.Response.Body, cancellationToken);
        return Results.Empty;
    }

    private static async IAsyncEnumerable<SseItem<string>> FollowAsync(Guid id, int after, OrchestratorDbContext db, INatsConnection nats, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Subscribed before the stored events are read, so nothing written in between is missed.
        var live = Channel.CreateBounded<LiveRunMessage>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest });
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listener = ListenAsync(nats, RunJournal.LiveSubject(id), live.Writer, listening.Token);
        try
        {
            var last = after;
            // A piece of a step's text read after the step's stored event (which holds all of it) is old news.
            var completedSteps = 0;
            var quietSince = Stopwatch.GetTimestamp();
            while (true)
            {
                var stored = await db.AgentRunEvents.AsNoTracking().Where(e => e.RunId == id && e.Seq > last).OrderBy(e => e.Seq).ToListAsync(cancellationToken);
                foreach (var @event in stored)
                {
                    last = @event.Seq;
                    if (@event.Type == RunEvents.ModelStep)
                    {
                        completedSteps = @event.Data.GetProperty("step").GetInt32();
                    }
                    yield return new SseItem<string>(@event.Data.GetRawText(), @event.Type) { EventId = @event.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                    quietSince = Stopwatch.GetTimestamp();
                    if (RunEvents.Ends(@event.Type))
                    {
                        yield break;
                    }
                }
                // Live messages until a stored event is announced (then read from the database) or a second passes.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(PollInterval);
                while (await ReadAsync(live.Reader, wait.Token) is { } message)
                {
                    if (message.Seq is null && message.Data.GetProperty("step").GetInt32() > completedSteps)
                    {
                        yield return new SseItem<string>(message.Data.GetRawText(), message.Type);
                        quietSince = Stopwatch.GetTimestamp();
                    }
                    else if (message.Seq > last)
                    {
                        break;
                    }
                }
                if (Stopwatch.GetElapsedTime(quietSince) > KeepAlive)
                {
                    yield return new SseItem<string>("{}", RunEvents.Ping);
                    quietSince = Stopwatch.GetTimestamp();
                }
            }
        }
        finally
        {
            await listening.CancelAsync();
            await listener;
        }
    }

    private static async Task<LiveRunMessage?> ReadAsync(ChannelReader<LiveRunMessage> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task ListenAsync(INatsConnection nats, string subject, ChannelWriter<LiveRunMessage> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in nats.SubscribeAsync<byte[]>(subject, cancellationToken: cancellationToken))
            {
                if (message.Data is { } data && JsonSerializer.Deserialize<LiveRunMessage>(data, RunEvents.Json) is { } live)
                {
                    writer.TryWrite(live);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The follower left or the run ended.
        }
    }

    private static IResult NotFound(Guid id) => Error(StatusCodes.Status404NotFound, $"No run '{id}'.", "invalid_request_error", "run_not_found");

    /// <summary>OpenAI's error shape: these endpoints are part of the <c>/v1</c> API.</summary>
    public static IResult Error(int status, string message, string type, string? code, string? param = null) =>
        TypedResults.Json(new { error = new { message, type, param, code } }, RunEvents.Json, statusCode: status);
}

/// <summary>
/// <c>input</c> (a user message) or <c>messages</c> with text content; for an agent with memory, the <c>user</c> it
/// is for and the <c>conversation</c> it continues.
/// </summary>
public sealed record RunRequest(string? Input, List<RunMessage>? Messages, string? User = null, string? Conversation = null)
{
    public List<ChatMessage>? ToConversation() =>
        Input is { Length: > 0 } input ? [new ChatMessage(ChatRole.User, input)]
        : Messages is { Count: > 0 } messages && messages.All(m => m.Role is "system" or "user" or "assistant" && m.Content is { Length: > 0 })
            ? messages.ConvertAll(m => new ChatMessage(new ChatRole(m.Role!), m.Content))
            : null;
}

public sealed record RunMessage(string? Role, string? Content);

/// <summary>A run as its API shows it: state, usage, cost, answer or error, and its steps when asked for one run.</summary>
public sealed record RunView(
    Guid Id, string Object, string Agent, int AgentVersion, string State, string User, string? Conversation, string? Answer, object? Error, RunUsageData Usage, decimal Cost,
    int ModelCalls, int ToolCalls, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, IReadOnlyList<RunStepView>? Steps)
{
    public static RunView Of(AgentRun run, List<AgentRunEvent>? steps) => new(
        run.Id, "agent.run", run.AgentName, run.AgentVersion, run.State.ToString().ToLowerInvariant(), run.User, run.Conversation, run.Answer,
        run.ErrorCode is null ? null : new { code = run.ErrorCode, message = run.ErrorMessage },
        new RunUsageData(run.InputTokens, run.OutputTokens), run.Cost, run.ModelCalls, run.ToolCalls, run.CreatedAt, run.StartedAt, run.FinishedAt,
        steps?.ConvertAll(e => new RunStepView(e.Seq, e.Type, e.Data, e.CreatedAt)));
}

public sealed record RunStepView(int Seq, string Type, JsonElement Data, DateTimeOffset CreatedAt);
