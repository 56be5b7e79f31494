using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using Orchestrator.Infrastructure;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// The tools a run may call: the built-in ones its agent names, and the tools of the MCP servers it names (one tool,
/// or all of a server's with <c>/*</c>), from each server's cached list, listed again once it is older than
/// <see cref="AgentOptions.ToolListLifetime"/>. A server is connected to only when the run first calls one of its tools.
/// </summary>
public sealed class RunToolsFactory(OrchestratorDbContext db, BuiltInTools builtIn, McpTools mcp, IOptions<AgentOptions> options, TimeProvider time)
{
    public const string McpPrefix = "mcp:";

    public async Task<RunTools> CreateAsync(AgentRun run, AgentDefinition definition, CancellationToken cancellationToken)
    {
        var tools = new RunTools(mcp);
        tools.Functions.AddRange(builtIn.For([.. definition.Tools], run.TenantId, run.KeyId));
        var allowed = definition.Tools.Where(t => t.StartsWith(McpPrefix, StringComparison.Ordinal))
            .Select(t => t[McpPrefix.Length..].Split('/', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0], parts => parts[1])
            .ToDictionary(g => g.Key, g => g.ToHashSet());
        if (allowed.Count == 0)
        {
            return tools;
        }
        var servers = await db.McpServers.Where(s => allowed.Keys.Contains(s.Name)).ToListAsync(cancellationToken);
        foreach (var server in servers)
        {
            await RefreshIfStaleAsync(server, cancellationToken);
            var names = allowed[server.Name];
            tools.Functions.AddRange(server.Tools
                .Where(tool => names.Contains("*") || names.Contains(tool.Name))
                .Select(tool => new McpToolFunction(server, tool, tools.ConnectAsync)));
        }
        return tools;
    }

    private async Task RefreshIfStaleAsync(McpServer server, CancellationToken cancellationToken)
    {
        if (server.ToolsListedAt is { } listed && time.GetUtcNow() - listed < options.Value.ToolListLifetime)
        {
            return;
        }
        try
        {
            server.Tools = await mcp.ListAsync(server, cancellationToken);
            server.ToolsListedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or ModelContextProtocol.McpException or TimeoutException)
        {
            // The last list serves while the server is away; a call to it then fails, and the model is told.
        }
    }
}

/// <summary>A run's tools and its connections to MCP servers, closed when the run is done with them.</summary>
public sealed class RunTools(McpTools mcp) : IAsyncDisposable
{
    private readonly Dictionary<Guid, Task<McpClient>> _connections = [];

    public List<AIFunction> Functions { get; } = [];

    public ValueTask<McpClient> ConnectAsync(McpServer server, CancellationToken cancellationToken)
    {
        lock (_connections)
        {
            if (!_connections.TryGetValue(server.Id, out var connecting) || connecting.IsFaulted || connecting.IsCanceled)
            {
                _connections[server.Id] = connecting = mcp.ConnectAsync(server, CancellationToken.None);
            }
            return new ValueTask<McpClient>(connecting.WaitAsync(cancellationToken));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connecting in _connections.Values)
        {
            if (connecting.IsCompletedSuccessfully)
            {
                await connecting.Result.DisposeAsync();
            }
        }
    }
}
