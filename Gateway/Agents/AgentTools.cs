using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Gateway.Agents;

/// <summary>
/// The tenant's agents as tools of the Gateway's MCP server, listed and called per request since each tenant has its
/// own: <c>agent_&lt;name&gt;</c> takes an <c>input</c>, runs the agent as the calling key and answers when the run
/// ends. The run's model calls are metered as its steps (<c>agent.step</c>), so the tool call has no usage event.
/// </summary>
public static class AgentTools
{
    private const string Prefix = "agent_";

    private static readonly JsonElement InputSchema = JsonElement.Parse(
        """{"type":"object","properties":{"input":{"type":"string","description":"What to ask the agent."}},"required":["input"]}""");

    public static async ValueTask<ListToolsResult> ListAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        var agents = await RunsOf(request).ListAgentsAsync(cancellationToken);
        return new ListToolsResult
        {
            Tools = [.. agents.Select(agent => new Tool
            {
                Name = Prefix + agent.Name,
                Description = agent.Description.Length > 0 ? agent.Description : $"Runs the agent {agent.Name}.",
                InputSchema = InputSchema,
            })],
            // The list is the calling tenant's: no shared cache may hand it to another.
            CacheScope = CacheScope.Private,
        };
    }

    public static async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var name = request.Params!.Name;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw Unknown(name);
        }
        if (request.Params.Arguments is not { } arguments || !arguments.TryGetValue("input", out var input) || input.ValueKind != JsonValueKind.String
            || input.GetString() is not { Length: > 0 } text)
        {
            return Failed("Give the agent an 'input': the text of what to ask it.");
        }
        var runs = RunsOf(request);
        var (runId, error) = await runs.StartAsync(name[Prefix.Length..], [new ChatMessage(ChatRole.User, text)], null, null, cancellationToken);
        if (error is not null)
        {
            return error.Code == "agent_not_found" ? throw Unknown(name) : Failed(error.Message);
        }
        await foreach (var @event in runs.FollowAsync(runId, cancellationToken))
        {
            if (@event.Ends)
            {
                return @event.Type == "run.succeeded"
                    ? new CallToolResult { Content = [new TextContentBlock { Text = @event.Data.GetProperty("answer").GetString() ?? "" }] }
                    : Failed(@event.Data.GetProperty("error").GetProperty("message").GetString() ?? "The run ended without an answer.");
            }
        }
        throw new OperationCanceledException("The client left before the run ended.");
    }

    private static AgentRunsClient RunsOf(MessageContext request) => request.Services!.GetRequiredService<AgentRunsClient>();

    /// <summary>As the SDK answers a tool it does not know.</summary>
    private static McpProtocolException Unknown(string name) => new($"Unknown tool: '{name}'", McpErrorCode.InvalidParams);

    private static CallToolResult Failed(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };
}
