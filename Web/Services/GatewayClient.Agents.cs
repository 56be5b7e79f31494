using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Web.Services;

// Agents: the registry and MCP servers (platform API, camelCase, ProblemDetails), runs and memory (/v1, snake case, OpenAI errors).
public sealed partial class GatewayClient
{
    private const string AgentsPath = "/api/v1/orchestrator/agents";
    private const string McpServersPath = "/api/v1/orchestrator/mcp-servers";
    private const string RunsPath = "/v1/agents";
    private const string MemoryPath = $"{RunsPath}/memory/users";
    private const int MaxResumes = 10;
    private static readonly TimeSpan ResumeDelay = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions RunJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Task<List<AgentView>> ListAgentsAsync(CancellationToken cancellationToken) => GetAsync<List<AgentView>>(AgentsPath, cancellationToken);

    public Task<AgentView> GetAgentAsync(string name, CancellationToken cancellationToken) => GetAsync<AgentView>($"{AgentsPath}/{Uri.EscapeDataString(name)}", cancellationToken);

    public Task<AgentView> CreateAgentAsync(string name, AgentDefinition definition, CancellationToken cancellationToken) =>
        SendAsync<AgentView>(HttpMethod.Post, AgentsPath, AgentBody(name, definition), cancellationToken);

    /// <summary>Saves a new version of the agent.</summary>
    public Task<AgentView> SaveAgentAsync(string name, AgentDefinition definition, CancellationToken cancellationToken) =>
        SendAsync<AgentView>(HttpMethod.Put, $"{AgentsPath}/{Uri.EscapeDataString(name)}", AgentBody(name, definition), cancellationToken);

    public Task DeleteAgentAsync(string name, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, $"{AgentsPath}/{Uri.EscapeDataString(name)}", null, cancellationToken);

    public Task<List<AgentVersionView>> ListAgentVersionsAsync(string name, CancellationToken cancellationToken) =>
        GetAsync<List<AgentVersionView>>($"{AgentsPath}/{Uri.EscapeDataString(name)}/versions", cancellationToken);

    public Task<List<McpServerView>> ListMcpServersAsync(CancellationToken cancellationToken) => GetAsync<List<McpServerView>>(McpServersPath, cancellationToken);

    public Task<McpServerView> RegisterMcpServerAsync(string name, string url, Dictionary<string, string> headers, int timeoutSeconds, CancellationToken cancellationToken) =>
        SendAsync<McpServerView>(HttpMethod.Post, McpServersPath, new { name, url, headers, timeoutSeconds }, cancellationToken);

    /// <summary>Has the server list its tools again.</summary>
    public Task<McpServerView> RefreshMcpServerAsync(string name, CancellationToken cancellationToken) =>
        SendAsync<McpServerView>(HttpMethod.Post, $"{McpServersPath}/{Uri.EscapeDataString(name)}/refresh", null, cancellationToken);

    public Task DeleteMcpServerAsync(string name, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, $"{McpServersPath}/{Uri.EscapeDataString(name)}", null, cancellationToken);

    /// <summary>
    /// Starts a run as the signed-in session's key, for <paramref name="user"/> in <paramref name="conversation"/> when
    /// given (an agent with memory remembers them); it is queued, and <see cref="FollowRunAsync"/> shows it go.
    /// </summary>
    public Task<AgentRun> StartRunAsync(string agent, string input, string? user, string? conversation, CancellationToken cancellationToken) =>
        SendAsync<AgentRun>(HttpMethod.Post, $"{RunsPath}/{Uri.EscapeDataString(agent)}/runs", new { input, user, conversation }, cancellationToken, RunJson);

    public async Task<List<AgentRun>> ListRunsAsync(string agent, int limit, CancellationToken cancellationToken) =>
        (await GetAsync<RunList>($"{RunsPath}/runs?agent={Uri.EscapeDataString(agent)}&limit={limit}", cancellationToken, RunJson)).Data;

    /// <summary>The run with its stored steps.</summary>
    public Task<AgentRun> GetRunAsync(Guid id, CancellationToken cancellationToken) => GetAsync<AgentRun>($"{RunsPath}/runs/{id}", cancellationToken, RunJson);

    public Task<AgentRun> CancelRunAsync(Guid id, CancellationToken cancellationToken) =>
        SendAsync<AgentRun>(HttpMethod.Post, $"{RunsPath}/runs/{id}/cancel", null, cancellationToken, RunJson);

    /// <summary>The users the tenant's agents remember, the most recently remembered first.</summary>
    public async Task<List<MemoryUser>> ListMemoryUsersAsync(int limit, CancellationToken cancellationToken) =>
        (await GetAsync<MemoryUserList>($"{MemoryPath}?limit={limit}", cancellationToken, RunJson)).Data;

    /// <summary>All three tiers of what the tenant's agents remember of <paramref name="user"/>; empty when nothing is.</summary>
    public Task<UserMemory> GetUserMemoryAsync(string user, CancellationToken cancellationToken) =>
        GetAsync<UserMemory>($"{MemoryPath}/{Uri.EscapeDataString(user)}", cancellationToken, RunJson);

    /// <summary>Forgets everything about <paramref name="user"/>: what was erased of each tier.</summary>
    public Task<ErasedMemory> EraseUserMemoryAsync(string user, CancellationToken cancellationToken) =>
        SendAsync<ErasedMemory>(HttpMethod.Delete, $"{MemoryPath}/{Uri.EscapeDataString(user)}", null, cancellationToken, RunJson);

    /// <summary>
    /// The run's events from the first until the one that ends it. A stream that breaks or closes early (a proxy's idle
    /// timeout, a replica going away) is taken up again after the last numbered event seen.
    /// </summary>
    public async IAsyncEnumerable<RunEvent> FollowRunAsync(Guid id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = 0;
        for (var resumes = 0; ; resumes++)
        {
            await using var events = ReadRunEventsAsync(id, last, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                RunEvent? next;
                try
                {
                    next = await events.MoveNextAsync() ? events.Current : null;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or GatewayException { Status: >= HttpStatusCode.InternalServerError }
                    && !cancellationToken.IsCancellationRequested && resumes < MaxResumes)
                {
                    break;
                }
                if (next is null)
                {
                    break;
                }
                if (next.Seq is { } seq)
                {
                    last = seq;
                    resumes = 0;
                }
                yield return next;
                if (next.Ends)
                {
                    yield break;
                }
            }
            await Task.Delay(ResumeDelay, cancellationToken);
        }
    }

    private async IAsyncEnumerable<RunEvent> ReadRunEventsAsync(Guid id, int after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = await AuthorizedAsync(HttpMethod.Get, $"{RunsPath}/runs/{id}/events");
        if (after > 0)
        {
            request.Headers.Add("Last-Event-ID", after.ToString(CultureInfo.InvariantCulture));
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken);
        }
        var parser = SseParser.Create(await response.Content.ReadAsStreamAsync(cancellationToken), (_, data) => JsonSerializer.Deserialize<JsonElement>(data));
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            yield return new RunEvent(int.TryParse(item.EventId, CultureInfo.InvariantCulture, out var seq) ? seq : null, item.EventType, item.Data);
        }
    }

    private static object AgentBody(string name, AgentDefinition definition) =>
        new { name, definition.Description, definition.Instructions, definition.Model, definition.Tools, definition.Limits, definition.Memory, definition.Critic };

    private sealed record RunList(List<AgentRun> Data);

    private sealed record MemoryUserList(List<MemoryUser> Data);
}

public sealed record AgentView(string Name, int Version, AgentDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record AgentVersionView(int Version, AgentDefinition Definition, DateTimeOffset CreatedAt);

/// <summary>An agent's definition as the portal edits it; <see cref="Memory"/> null is an agent without memory.</summary>
public sealed record AgentDefinition(
    string Description, string Instructions, string Model, List<string> Tools, AgentLimits Limits, MemorySettings? Memory = null, CriticSettings? Critic = null);

/// <summary>The critic loop's settings, which the portal keeps as they are when it saves an agent.</summary>
public sealed record CriticSettings(string Model, double Threshold, int MaxRetries, string Instructions);

public sealed record AgentLimits(int MaxIterations, int MaxToolCalls, decimal MaxCostUsd, int MaxSeconds);

/// <summary>An agent's memory of each user, with the API's defaults.</summary>
public sealed record MemorySettings(int ConversationTokens = 2_000, int ConversationHours = 24, int RecallTop = 3, double RecallThreshold = 0.35, bool Tools = true);

/// <summary>A tenant's MCP server (streamable HTTP), or one the operator installed (stdio: no URL, not the tenant's to delete).</summary>
public sealed record McpServerView(string Name, string Transport, Uri? Url, List<string> Headers, int TimeoutSeconds, List<McpToolInfo> Tools, DateTimeOffset? ToolsListedAt, DateTimeOffset? CreatedAt)
{
    public bool IsOperators => Transport == "stdio";
}

public sealed record McpToolInfo(string Name, string? Description, decimal? CostUsd, bool Idempotent);

public sealed record AgentRun(
    Guid Id, string Agent, int AgentVersion, string State, string? Answer, RunError? Error, RunUsage Usage, decimal Cost,
    int ModelCalls, int ToolCalls, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, List<RunStep>? Steps)
{
    public bool IsFinished => State is "succeeded" or "failed" or "cancelled";
}

public sealed record RunError(string? Code, string? Message);

public sealed record RunUsage(long InputTokens, long OutputTokens);

public sealed record RunStep(int Seq, string Type, JsonElement Data, DateTimeOffset CreatedAt);

/// <summary>An event of a run: numbered when stored, a live piece of a step's text (<c>delta</c>) when not.</summary>
public sealed record RunEvent(int? Seq, string Type, JsonElement Data)
{
    public bool Ends => Type is "run.succeeded" or "run.failed" or "run.cancelled";
}

public sealed record MemoryUser(string User, int Memories, int Facts, DateTimeOffset LastRemembered);

/// <summary>What the tenant's agents remember of one user: conversations (hot), memories recalled by similarity (warm), facts (cold).</summary>
public sealed record UserMemory(string User, List<MemoryConversation> Conversations, List<MemoryEntry> Memories, List<MemoryFact> Facts);

/// <summary>A conversation as kept for its TTL: a summary of its older turns, and the newer ones word for word.</summary>
public sealed record MemoryConversation(string Agent, string User, string Conversation, string? Summary, List<MemoryTurn> Turns, Guid? LastRunId, DateTimeOffset UpdatedAt);

public sealed record MemoryTurn(string Role, string Text);

/// <summary>A past exchange (<c>exchange</c>) or a fact an agent remembered (<c>fact</c>).</summary>
public sealed record MemoryEntry(Guid Id, string Kind, string Agent, string Text, DateTimeOffset CreatedAt);

public sealed record MemoryFact(string Subject, string Relation, string Object, string Agent, DateTimeOffset CreatedAt);

public sealed record ErasedMemory(string User, int Conversations, int Memories, int Entities, int Facts);
