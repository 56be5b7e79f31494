using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Orchestrator.Agents;
using Orchestrator.Infrastructure;
using Orchestrator.Model;
using Platform.Networking;

namespace Orchestrator.Apis;

/// <summary>
/// The MCP servers a tenant's agents may use: the tenant's own (streamable HTTP), registered by URL, their tools listed
/// at once and kept, listed again on demand or when a run finds the list old, headers (an API key) stored and never
/// shown; and the operator's (stdio, <see cref="AgentOptions.StdioServers"/>), listed beside them, which the tenant
/// can refresh but not change.
/// </summary>
public static partial class McpServersApi
{
    public static IEndpointRouteBuilder MapMcpServersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/orchestrator/mcp-servers").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/", ListServers);
        api.MapPost("/", RegisterServer);
        api.MapGet("/{name}", GetServer);
        api.MapDelete("/{name}", DeleteServer);
        api.MapPost("/{name}/refresh", RefreshServer);
        return app;
    }

    public static async Task<Ok<List<McpServerView>>> ListServers(
        OrchestratorDbContext db, OperatorMcpServers operatorServers, TenantContext tenant, ILogger<McpServer> logger, CancellationToken cancellationToken)
    {
        var servers = (await db.McpServers.AsNoTracking().ToListAsync(cancellationToken)).ConvertAll(McpServerView.Of);
        foreach (var (name, installed) in operatorServers.For(tenant.RequiredTenantId).Where(o => servers.All(s => s.Name != o.Key)))
        {
            servers.Add(await OperatorServerViewAsync(name, installed, operatorServers, logger, cancellationToken));
        }
        return TypedResults.Ok(servers.OrderBy(s => s.Name, StringComparer.Ordinal).ToList());
    }

    /// <summary>The names of the MCP servers <paramref name="tools"/> name that the tenant may use: its own, and the operator's it is given.</summary>
    public static async Task<List<string>> ServersNamedAsync(
        IEnumerable<string> tools, OrchestratorDbContext db, OperatorMcpServers operatorServers, Guid tenantId, CancellationToken cancellationToken)
    {
        var named = tools.Where(t => t.StartsWith(RunToolsFactory.McpPrefix, StringComparison.Ordinal)).Select(t => t[RunToolsFactory.McpPrefix.Length..].Split('/')[0]).Distinct().ToList();
        var registered = await db.McpServers.AsNoTracking().Where(s => named.Contains(s.Name)).Select(s => s.Name).ToListAsync(cancellationToken);
        return [.. registered, .. named.Where(name => operatorServers.Find(name, tenantId) is not null)];
    }

    public static async Task<Results<Created<McpServerView>, ValidationProblem, Conflict<ProblemDetails>, UnprocessableEntity<ProblemDetails>>> RegisterServer(
        McpServerRequest request, OrchestratorDbContext db, TenantContext tenant, McpTools mcp, OperatorMcpServers operatorServers, PublicAddresses addresses, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (request.Name is { } taken && operatorServers.Find(taken, tenant.RequiredTenantId) is not null)
        {
            return OperatorsServer(taken);
        }
        var errors = new Dictionary<string, string[]>();
        if (request.Name is not { } name || !ServerName().IsMatch(name))
        {
            errors["name"] = ["A name is 1 to 32 lowercase letters, digits or '-', starting with a letter or digit."];
        }
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            errors["url"] = ["An absolute http or https URL of the server's MCP endpoint."];
        }
        else if (await addresses.RefusalAsync(url, cancellationToken) is { } refusal)
        {
            errors["url"] = [refusal];
        }
        if (request.TimeoutSeconds is < 1 or > 300)
        {
            errors["timeoutSeconds"] = ["Between 1 and 300."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await db.McpServers.AnyAsync(s => s.Name == request.Name, cancellationToken))
        {
            return Exists(request.Name!);
        }

        var server = new McpServer
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.RequiredTenantId,
            Name = request.Name!,
            Url = url!,
            Headers = request.Headers ?? [],
            TimeoutSeconds = request.TimeoutSeconds ?? 30,
            CreatedAt = time.GetUtcNow(),
        };
        // Listed before it is kept: a server that cannot be reached, or is no MCP server, is refused with the reason.
        if (await ListToolsAsync(server, mcp, time, cancellationToken) is { } unreachable)
        {
            return unreachable;
        }
        db.McpServers.Add(server);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Exists(server.Name);
        }
        return TypedResults.Created($"/api/v1/orchestrator/mcp-servers/{server.Name}", McpServerView.Of(server));
    }

    public static async Task<Results<Ok<McpServerView>, NotFound>> GetServer(
        string name, OrchestratorDbContext db, OperatorMcpServers operatorServers, TenantContext tenant, ILogger<McpServer> logger, CancellationToken cancellationToken)
    {
        if (await db.McpServers.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken) is { } server)
        {
            return TypedResults.Ok(McpServerView.Of(server));
        }
        return operatorServers.Find(name, tenant.RequiredTenantId) is { } installed
            ? TypedResults.Ok(await OperatorServerViewAsync(name, installed, operatorServers, logger, cancellationToken))
            : TypedResults.NotFound();
    }

    public static async Task<Results<NoContent, NotFound, Conflict<ProblemDetails>>> DeleteServer(
        string name, OrchestratorDbContext db, OperatorMcpServers operatorServers, TenantContext tenant, CancellationToken cancellationToken)
    {
        if (await db.McpServers.Where(s => s.Name == name).ExecuteDeleteAsync(cancellationToken) > 0)
        {
            return TypedResults.NoContent();
        }
        return operatorServers.Find(name, tenant.RequiredTenantId) is null ? TypedResults.NotFound() : OperatorsServer(name);
    }

    public static async Task<Results<Ok<McpServerView>, NotFound, UnprocessableEntity<ProblemDetails>>> RefreshServer(
        string name, OrchestratorDbContext db, McpTools mcp, OperatorMcpServers operatorServers, TenantContext tenant, TimeProvider time, CancellationToken cancellationToken)
    {
        var server = await db.McpServers.FirstOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (server is null && operatorServers.Find(name, tenant.RequiredTenantId) is { } installed)
        {
            try
            {
                return TypedResults.Ok(McpServerView.Of(name, installed, await operatorServers.ToolsAsync(name, refresh: true, cancellationToken)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return DidNotList(name, $"the operator's server '{name}'", ex);
            }
        }
        if (server is null)
        {
            return TypedResults.NotFound();
        }
        if (await ListToolsAsync(server, mcp, time, cancellationToken) is { } unreachable)
        {
            return unreachable;
        }
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(McpServerView.Of(server));
    }

    private static async Task<UnprocessableEntity<ProblemDetails>?> ListToolsAsync(McpServer server, McpTools mcp, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            server.Tools = await mcp.ListAsync(server, cancellationToken);
            server.ToolsListedAt = time.GetUtcNow();
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or ModelContextProtocol.McpException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return DidNotList(server.Name, server.Url.ToString(), ex);
        }
    }

    /// <summary>An operator's server as a tenant sees it: its tools, or none (and the reason in the log) while it does not start.</summary>
    private static async Task<McpServerView> OperatorServerViewAsync(
        string name, StdioServerOptions installed, OperatorMcpServers operatorServers, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return McpServerView.Of(name, installed, await operatorServers.ToolsAsync(name, refresh: false, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The operator's MCP server {Server} did not list its tools.", name);
            return McpServerView.Of(name, installed, null);
        }
    }

    private static UnprocessableEntity<ProblemDetails> DidNotList(string name, string where, Exception ex) =>
        TypedResults.UnprocessableEntity(new ProblemDetails
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The MCP server did not list its tools.",
            Detail = $"{where}: {ex.Message}",
            Extensions = { ["server"] = name },
        });

    private static Conflict<ProblemDetails> Exists(string name) =>
        TypedResults.Conflict(new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "The MCP server exists.", Detail = $"An MCP server named '{name}' is registered." });

    private static Conflict<ProblemDetails> OperatorsServer(string name) =>
        TypedResults.Conflict(new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "The MCP server is the operator's.",
            Detail = $"'{name}' is an MCP server the operator installed: its tools can be given to agents, but it cannot be registered, changed or deleted by a tenant.",
        });

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    private static partial Regex ServerName();
}

public sealed record McpServerRequest(string? Name, string? Url, Dictionary<string, string>? Headers, int? TimeoutSeconds);

/// <summary>
/// A server as its tenant sees it: its tools, and the names of its headers, not their values; an operator's server
/// (transport <c>stdio</c>) has no URL, headers or creation shown.
/// </summary>
public sealed record McpServerView(
    string Name, string Transport, Uri? Url, IReadOnlyList<string> Headers, int TimeoutSeconds, IReadOnlyList<McpToolInfo> Tools, DateTimeOffset? ToolsListedAt, DateTimeOffset? CreatedAt)
{
    public const string StreamableHttp = "streamable-http";
    public const string Stdio = "stdio";

    public static McpServerView Of(McpServer server) =>
        new(server.Name, StreamableHttp, server.Url, [.. server.Headers.Keys], server.TimeoutSeconds, server.Tools, server.ToolsListedAt, server.CreatedAt);

    public static McpServerView Of(string name, StdioServerOptions installed, OperatorServerTools? tools) =>
        new(name, Stdio, null, [], installed.TimeoutSeconds, tools?.Tools ?? [], tools?.ListedAt, null);
}
