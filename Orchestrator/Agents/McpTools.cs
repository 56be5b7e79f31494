using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
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

    /// <summary>Sent with every call in its <c>_meta</c>: the same call made again (after a restart) carries the same key.</summary>
    public const string IdempotencyKeyMeta = "idempotency_key";

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
            tool.ProtocolTool.Meta?["cost_usd"]?.GetValue<decimal>(),
            tool.ProtocolTool.Annotations?.IdempotentHint == true || tool.ProtocolTool.Annotations?.ReadOnlyHint == true,
            tool.ProtocolTool.Meta?["outcome_tool"]?.GetValue<string>(),
            tool.ProtocolTool.Meta?["compensation_tool"]?.GetValue<string>(),
            tool.ProtocolTool.Meta?["compensation_argument"]?.GetValue<string>()))];
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

    /// <summary>The call's idempotency key, set by the run in the arguments' context and sent in the call's <c>_meta</c>.</summary>
    public static string? IdempotencyKeyOf(AIFunctionArguments arguments) =>
        arguments.Context?.TryGetValue(McpTools.IdempotencyKeyMeta, out var key) == true ? key as string : null;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        await CallAsync(tool.Name, arguments.ToDictionary(a => a.Key, a => a.Value), IdempotencyKeyOf(arguments), cancellationToken);

    /// <summary>Calls <paramref name="name"/> on this tool's server (the tool itself, or its outcome or compensation tool): its text, or a <see cref="ToolFailedException"/>.</summary>
    public async Task<string> CallAsync(string name, IReadOnlyDictionary<string, object?> arguments, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var client = await connect(server, cancellationToken);
        var options = idempotencyKey is null ? null : new RequestOptions { Meta = new JsonObject { [McpTools.IdempotencyKeyMeta] = idempotencyKey } };
        var result = await client.CallToolAsync(name, arguments, options: options, cancellationToken: cancellationToken);
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(block => block.Text));
        return result.IsError == true ? throw new ToolFailedException(text.Length > 0 ? text : $"{name} failed.") : text;
    }
}

/// <summary>A tool answered with an error (not a fault of the platform's): the model is told, the run goes on.</summary>
public sealed class ToolFailedException(string message) : Exception(message);
