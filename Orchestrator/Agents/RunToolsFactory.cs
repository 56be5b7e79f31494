using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using Orchestrator.Infrastructure;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// The tools a run may call: the built-in ones its agent names, and the tools of the MCP servers it names (one tool,
/// or all of a server's with <c>/*</c>; the tenant's registered servers, or the operator's), from each server's cached
/// list, listed again once it is older than <see cref="AgentOptions.ToolListLifetime"/>. A tenant's server is
/// connected to only when the run first calls one of its tools.
/// </summary>
public sealed class RunToolsFactory(
    OrchestratorDbContext db, BuiltInTools builtIn, AgentMemory memory, McpTools mcp, OperatorMcpServers operatorServers, ToolResilience resilience,
    IOptions<AgentOptions> options, TimeProvider time, ILogger<RunToolsFactory> logger)
{
    public const string McpPrefix = "mcp:";
    public const string CapabilityPrefix = "capability:";

    public async Task<RunTools> CreateAsync(AgentRun run, AgentDefinition definition, CancellationToken cancellationToken)
    {
        var tools = new RunTools(mcp);
        var capabilityNames = definition.Tools.Where(t => t.StartsWith(CapabilityPrefix, StringComparison.Ordinal)).Select(t => t[CapabilityPrefix.Length..]).ToList();
        var capabilities = capabilityNames.Count == 0 ? [] : await db.ToolCapabilities.AsNoTracking().Where(c => capabilityNames.Contains(c.Name)).ToListAsync(cancellationToken);
        // Every tool the run may reach: its own, and those its capabilities route to.
        var reachable = definition.Tools.Concat(capabilities.SelectMany(c => c.Tools)).ToHashSet();
        var fetchAllowList = reachable.Contains(BuiltInTools.HttpFetchTool)
            ? await db.FetchAllowLists.AsNoTracking().FirstOrDefaultAsync(cancellationToken) ?? new FetchAllowList()
            : new FetchAllowList();
        var available = builtIn.For(reachable, run.TenantId, run.KeyId, fetchAllowList).ToDictionary(f => f.Name, f => f);
        var allowed = reachable.Where(t => t.StartsWith(McpPrefix, StringComparison.Ordinal))
            .Select(t => t[McpPrefix.Length..].Split('/', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0], parts => parts[1])
            .ToDictionary(g => g.Key, g => g.ToHashSet());
        var servers = allowed.Count == 0 ? [] : await db.McpServers.Where(s => allowed.Keys.Contains(s.Name)).ToListAsync(cancellationToken);
        foreach (var server in servers)
        {
            await RefreshIfStaleAsync(server, cancellationToken);
            var names = allowed[server.Name];
            foreach (var tool in server.Tools.Where(tool => names.Contains("*") || names.Contains(tool.Name)))
            {
                available[$"{McpPrefix}{server.Name}/{tool.Name}"] = new McpToolFunction(
                    server.Name, TimeSpan.FromSeconds(server.TimeoutSeconds), tool, cancellation => tools.ConnectAsync(server, cancellation));
            }
        }
        // The operator's servers the tenant may use, unless the tenant registered a server of the same name.
        foreach (var name in allowed.Keys.Where(name => servers.All(s => s.Name != name)))
        {
            if (operatorServers.Find(name, run.TenantId) is not { } installed)
            {
                continue;
            }
            List<McpToolInfo> listed;
            try
            {
                listed = (await operatorServers.ToolsAsync(name, refresh: false, cancellationToken)).Tools;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A server that does not start gives the run none of its tools; the operator finds why in the log.
                logger.LogWarning(ex, "The operator's MCP server {Server} did not list its tools.", name);
                continue;
            }
            var names = allowed[name];
            foreach (var tool in listed.Where(tool => names.Contains("*") || names.Contains(tool.Name)))
            {
                available[$"{McpPrefix}{name}/{tool.Name}"] = new McpToolFunction(
                    name, TimeSpan.FromSeconds(installed.TimeoutSeconds), tool, cancellation => operatorServers.ConnectAsync(name, cancellation), run.TenantId);
            }
        }

        // The model sees the agent's own tools and its capabilities, not the tools behind a capability.
        foreach (var name in definition.Tools)
        {
            if (name.StartsWith(McpPrefix, StringComparison.Ordinal) && name.EndsWith("/*", StringComparison.Ordinal))
            {
                tools.Functions.AddRange(available.Where(a => a.Key.StartsWith(name[..^1], StringComparison.Ordinal)).Select(a => a.Value));
            }
            else if (available.TryGetValue(name, out var function))
            {
                tools.Functions.Add(function);
            }
        }
        foreach (var capability in capabilities)
        {
            var members = capability.Tools.SelectMany(t => t.EndsWith("/*", StringComparison.Ordinal)
                ? available.Where(a => a.Key.StartsWith(t[..^1], StringComparison.Ordinal)).Select(a => a.Value)
                : available.TryGetValue(t, out var member) ? [member] : []).ToList();
            tools.Functions.Add(new CapabilityFunction(capability, members, resilience));
        }
        if (definition.Memory is { Tools: true })
        {
            tools.Functions.AddRange(MemoryTools.For(memory, run));
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
