using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// The MCP servers the operator installed (<see cref="AgentOptions.StdioServers"/>), spoken to over stdio: each started
/// when a run or a listing first needs it, as one child process whose session the tenants' calls share (each call is
/// its own request, with the calling tenant in its <c>_meta</c>), and started again once it has exited. Its tools are
/// listed again after <see cref="AgentOptions.ToolListLifetime"/>.
/// </summary>
public sealed class OperatorMcpServers(IOptions<AgentOptions> options, McpTools mcp, TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly Dictionary<string, Task<McpClient>> _clients = [];
    private readonly Dictionary<string, OperatorServerTools> _tools = [];

    /// <summary>The servers <paramref name="tenantId"/> may use, by name.</summary>
    public IEnumerable<KeyValuePair<string, StdioServerOptions>> For(Guid tenantId) =>
        options.Value.StdioServers.Where(server => server.Value.IsFor(tenantId)).OrderBy(server => server.Key, StringComparer.Ordinal);

    public StdioServerOptions? Find(string name, Guid tenantId) =>
        options.Value.StdioServers.TryGetValue(name, out var server) && server.IsFor(tenantId) ? server : null;

    /// <summary>Whether <paramref name="name"/> is an operator's server, whichever tenants it is for.</summary>
    public bool IsInstalled(string name) => options.Value.StdioServers.ContainsKey(name);

    public ValueTask<McpClient> ConnectAsync(string name, CancellationToken cancellationToken)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(name, out var connecting)
                || connecting.IsFaulted || connecting.IsCanceled
                || connecting is { IsCompletedSuccessfully: true, Result.Completion.IsCompleted: true })
            {
                _clients[name] = connecting = StartAsync(name, options.Value.StdioServers[name]);
            }
            return new ValueTask<McpClient>(connecting.WaitAsync(cancellationToken));
        }
    }

    /// <summary>The server's tools: as last listed while that list is fresh (and <paramref name="refresh"/> is not asked), else listed now.</summary>
    public async Task<OperatorServerTools> ToolsAsync(string name, bool refresh, CancellationToken cancellationToken)
    {
        lock (_tools)
        {
            if (!refresh && _tools.TryGetValue(name, out var listed) && time.GetUtcNow() - listed.ListedAt < options.Value.ToolListLifetime)
            {
                return listed;
            }
        }
        var client = await ConnectAsync(name, cancellationToken);
        var tools = new OperatorServerTools(await McpTools.ListAsync(client, cancellationToken), time.GetUtcNow());
        lock (_tools)
        {
            _tools[name] = tools;
        }
        return tools;
    }

    private async Task<McpClient> StartAsync(string name, StdioServerOptions server)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = name,
            Command = server.Command,
            Arguments = server.Arguments,
            WorkingDirectory = server.WorkingDirectory,
            EnvironmentVariables = server.Environment.ToDictionary(variable => variable.Key, string? (variable) => variable.Value),
        }, loggers);
        return await McpClient.CreateAsync(transport, mcp.ClientOptions(server.TimeoutSeconds), loggers);
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<McpClient>> clients;
        lock (_clients)
        {
            clients = [.. _clients.Values];
        }
        foreach (var connecting in clients.Where(client => client.IsCompletedSuccessfully))
        {
            await connecting.Result.DisposeAsync();
        }
    }
}

/// <summary>An operator's server's tools, and when they were listed.</summary>
public sealed record OperatorServerTools(List<McpToolInfo> Tools, DateTimeOffset ListedAt);
