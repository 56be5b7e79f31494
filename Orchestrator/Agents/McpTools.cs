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
        return await McpClient.CreateAsync(transport, ClientOptions(server.TimeoutSeconds), loggers, cancellationToken);
    }

    public McpClientOptions ClientOptions(int timeoutSeconds) => new()
    {
        ClientInfo = new Implementation { Name = "ai-platform-orchestrator", Version = "1.0" },
        InitializationTimeout = TimeSpan.FromSeconds(timeoutSeconds),
    };

    public async Task<List<McpToolInfo>> ListAsync(McpServer server, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(server, cancellationToken);
        return await ListAsync(client, cancellationToken);
    }

    /// <summary>A server's tools, with what their <c>_meta</c> and annotations declare.</summary>
    public static async Task<List<McpToolInfo>> ListAsync(McpClient client, CancellationToken cancellationToken)
    {
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

/// <summary>
/// An MCP server's tool as the model sees it; the call goes through <paramref name="connect"/> (the run's connection to
/// a tenant's server, or the operator's server's shared one), and tells an operator's server whose call it is.
/// </summary>
public sealed class McpToolFunction(string server, TimeSpan timeout, McpToolInfo tool, Func<CancellationToken, ValueTask<McpClient>> connect, Guid? operatorServerTenant = null) : AIFunction
{
    /// <summary>Sent in an operator's server's calls' <c>_meta</c>: the tenant whose agent calls.</summary>
    public const string TenantMeta = "tenant_id";

    public override string Name { get; } = McpTools.FunctionName(server, tool.Name);

    public override string Description => tool.Description ?? "";

    public override JsonElement JsonSchema => tool.InputSchema;

    public McpToolInfo Tool => tool;

    public TimeSpan Timeout => timeout;

    /// <summary>The call's idempotency key, set by the run in the arguments' context and sent in the call's <c>_meta</c>.</summary>
    public static string? IdempotencyKeyOf(AIFunctionArguments arguments) =>
        arguments.Context?.TryGetValue(McpTools.IdempotencyKeyMeta, out var key) == true ? key as string : null;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        await CallAsync(tool.Name, arguments.ToDictionary(a => a.Key, a => a.Value), IdempotencyKeyOf(arguments), cancellationToken);

    /// <summary>Calls <paramref name="name"/> on this tool's server (the tool itself, or its outcome or compensation tool): its text, or a <see cref="ToolFailedException"/>.</summary>
    public async Task<string> CallAsync(string name, IReadOnlyDictionary<string, object?> arguments, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var client = await connect(cancellationToken);
        var meta = new JsonObject();
        if (idempotencyKey is not null)
        {
            meta[McpTools.IdempotencyKeyMeta] = idempotencyKey;
        }
        if (operatorServerTenant is { } tenant)
        {
            meta[TenantMeta] = tenant.ToString();
        }
        var options = meta.Count == 0 ? null : new RequestOptions { Meta = meta };
        var result = await client.CallToolAsync(name, arguments, options: options, cancellationToken: cancellationToken);
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(block => block.Text));
        return result.IsError == true ? throw new ToolFailedException(text.Length > 0 ? text : $"{name} failed.") : text;
    }
}

/// <summary>A tool answered with an error (not a fault of the platform's): the model is told, the run goes on.</summary>
public sealed class ToolFailedException(string message) : Exception(message);
