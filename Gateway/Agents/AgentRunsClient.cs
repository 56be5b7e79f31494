using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.Agents;

/// <summary>
/// The tenant's agents and their runs on the Orchestrator, as the tenant: list the agents, start a run, and follow its
/// events to the end. A follow that breaks (the Orchestrator restarted, a replica went away) is taken up again from the
/// last event seen, on whichever replica answers, so a run outlives the replica that began it.
/// </summary>
public sealed class AgentRunsClient(HttpClient http)
{
    private const string Agents = "api/v1/orchestrator/agents";
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(500);
    private const int MaxReconnects = 120;

    public HttpClient Http => http;

    /// <summary>The tenant's agents, by name.</summary>
    public async Task<List<AgentSummary>> ListAgentsAsync(CancellationToken cancellationToken)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync(Agents, cancellationToken));
        return [.. json.RootElement.EnumerateArray().Select(agent => new AgentSummary(
            agent.GetProperty("name").GetString()!,
            agent.GetProperty("definition").GetProperty("description").GetString() ?? ""))];
    }

    /// <summary>
    /// Starts a run of <paramref name="agent"/> on <paramref name="messages"/> for <paramref name="user"/> (whose memory
    /// it reads and writes), continuing <paramref name="conversation"/> if given: its id, or why not.
    /// </summary>
    public async Task<(Guid RunId, ExecutionError? Error)> StartAsync(
        string agent, IEnumerable<ChatMessage> messages, string? user, string? conversation, CancellationToken cancellationToken)
    {
        var body = new { messages = messages.Where(m => m.Text.Length > 0).Select(m => new { role = m.Role.Value, content = m.Text }), user, conversation };
        using var response = await http.PostAsJsonAsync($"{Agents}/{Uri.EscapeDataString(agent)}/runs", body, cancellationToken);
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return response.IsSuccessStatusCode
            ? (json.RootElement.GetProperty("id").GetGuid(), null)
            : (Guid.Empty, ErrorOf((int)response.StatusCode, json.RootElement));
    }

    /// <summary>The run's events from the first, until the one that ends it; a live text piece has no number.</summary>
    public async IAsyncEnumerable<AgentRunEvent> FollowAsync(Guid runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = 0;
        for (var reconnects = 0; ; reconnects++)
        {
            await using var events = ReadAsync(runId, last, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                AgentRunEvent? next;
                try
                {
                    next = await events.MoveNextAsync() ? events.Current : null;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested && reconnects < MaxReconnects)
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
                    reconnects = 0;
                }
                yield return next;
                if (next.Ends)
                {
                    yield break;
                }
            }
            await Task.Delay(ReconnectDelay, cancellationToken);
        }
    }

    private async IAsyncEnumerable<AgentRunEvent> ReadAsync(Guid runId, int after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Agents}/runs/{runId}/events");
        if (after > 0)
        {
            request.Headers.Add("Last-Event-ID", after.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        // A replica that is starting or stopping answers 5xx: as good as a broken connection, try again.
        if ((int)response.StatusCode >= 500)
        {
            throw new HttpRequestException($"The orchestrator answered {(int)response.StatusCode}.");
        }
        response.EnsureSuccessStatusCode();
        var parser = SseParser.Create(await response.Content.ReadAsStreamAsync(cancellationToken), (type, data) => JsonDocument.Parse(data.ToArray()).RootElement.Clone());
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            yield return new AgentRunEvent(int.TryParse(item.EventId, out var seq) ? seq : null, item.EventType, item.Data);
        }
    }

    /// <summary>An OpenAI error the Orchestrator answered, as the platform's error.</summary>
    public static ExecutionError ErrorOf(int status, JsonElement body) =>
        body.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
            ? new ExecutionError(status, error.GetProperty("message").GetString() ?? "", error.GetProperty("type").GetString() ?? "api_error",
                error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null,
                Param: error.TryGetProperty("param", out var param) && param.ValueKind == JsonValueKind.String ? param.GetString() : null)
            : new ExecutionError(StatusCodes.Status502BadGateway, $"The orchestrator answered {status}.", "api_error", "orchestrator_error");
}

/// <summary>An agent as its tenant's clients see it: its name (its address) and what it is for.</summary>
public sealed record AgentSummary(string Name, string Description);

/// <summary>An event of a run: numbered when stored, a live piece of text (<c>delta</c>) when not.</summary>
public sealed record AgentRunEvent(int? Seq, string Type, JsonElement Data)
{
    public bool Ends => Type is "run.succeeded" or "run.failed" or "run.cancelled";
}
