using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// The tenants' MCP servers, over streamable HTTP through a client that connects only to allowed addresses: their
/// tools listed (and cached on the server's record), and called on a connection made when a run first needs it.
/// </summary>
public sealed class McpTools(IHttpClientFactory httpClients, ILoggerFactory loggers)
{
    public const string HttpClientName = "mcp";

    /// <summary>The cost a server declares for a call of a tool, in its <c>_meta</c>.</summary>
    private const string CostMeta = "cost_usd";

    public async Task<McpClient> ConnectAsync(McpServer server, CancellationToken cancellationToken)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = server.Url,
            Name = server.Name,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = server.Headers,
            ConnectionTimeout = TimeSpan.FromSeconds(server.TimeoutSeconds),
        }, httpClients.CreateClient(HttpClientName), loggers, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "ai-platform-orchestrator", Version = "1.0" },
            InitializationTimeout = TimeSpan.FromSeconds(server.TimeoutSeconds),
        }, loggers, cancellationToken);
    }

    public async Task<List<McpToolInfo>> ListAsync(McpServer server, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(server, cancellationToken);
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        return [.. tools.Select(tool => new McpToolInfo(
            tool.Name,
            tool.Description,
            tool.JsonSchema,
            tool.ProtocolTool.Meta?[CostMeta]?.GetValue<decimal>(),
            tool.ProtocolTool.Annotations?.IdempotentHint == true || tool.ProtocolTool.Annotations?.ReadOnlyHint == true))];
    }

    /// <summary>The name a model sees for a server's tool: both names, as function names allow.</summary>
    public static string FunctionName(string server, string tool) => $"{server}__{tool}";
}

/// <summary>A registered server's tool as the model sees it; the call goes through the run's connection to that server.</summary>
public sealed class McpToolFunction(McpServer server, McpToolInfo tool, Func<McpServer, CancellationToken, ValueTask<McpClient>> connect) : AIFunction
{
    public override string Name { get; } = McpTools.FunctionName(server.Name, tool.Name);

    public override string Description => tool.Description ?? "";

    public override JsonElement JsonSchema => tool.InputSchema;

    public McpToolInfo Tool => tool;

    public TimeSpan Timeout => TimeSpan.FromSeconds(server.TimeoutSeconds);

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var client = await connect(server, cancellationToken);
        var result = await client.CallToolAsync(tool.Name, arguments.ToDictionary(a => a.Key, a => a.Value), cancellationToken: cancellationToken);
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(block => block.Text));
        return result.IsError == true ? throw new ToolFailedException(text.Length > 0 ? text : $"{Name} failed.") : text;
    }
}

/// <summary>A tool answered with an error (not a fault of the platform's): the model is told, the run goes on.</summary>
public sealed class ToolFailedException(string message) : Exception(message);
