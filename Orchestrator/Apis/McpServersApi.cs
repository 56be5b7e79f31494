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
/// The MCP servers a tenant's agents may use (streamable HTTP): registered by URL, their tools listed at once and
/// kept; listed again on demand or when a run finds the list old. Headers (an API key) are stored and never shown.
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

    public static async Task<Ok<List<McpServerView>>> ListServers(OrchestratorDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.McpServers.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken)).ConvertAll(McpServerView.Of));

    public static async Task<Results<Created<McpServerView>, ValidationProblem, Conflict<ProblemDetails>, UnprocessableEntity<ProblemDetails>>> RegisterServer(
        McpServerRequest request, OrchestratorDbContext db, TenantContext tenant, McpTools mcp, PublicAddresses addresses, TimeProvider time, CancellationToken cancellationToken)
    {
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

    public static async Task<Results<Ok<McpServerView>, NotFound>> GetServer(string name, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        await db.McpServers.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken) is { } server
            ? TypedResults.Ok(McpServerView.Of(server))
            : TypedResults.NotFound();

    public static async Task<Results<NoContent, NotFound>> DeleteServer(string name, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        await db.McpServers.Where(s => s.Name == name).ExecuteDeleteAsync(cancellationToken) > 0 ? TypedResults.NoContent() : TypedResults.NotFound();

    public static async Task<Results<Ok<McpServerView>, NotFound, UnprocessableEntity<ProblemDetails>>> RefreshServer(
        string name, OrchestratorDbContext db, McpTools mcp, TimeProvider time, CancellationToken cancellationToken)
    {
        var server = await db.McpServers.FirstOrDefaultAsync(s => s.Name == name, cancellationToken);
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
            return TypedResults.UnprocessableEntity(new ProblemDetails
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Title = "The MCP server did not list its tools.",
                Detail = $"{server.Url}: {ex.Message}",
            });
        }
    }

    private static Conflict<ProblemDetails> Exists(string name) =>
        TypedResults.Conflict(new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "The MCP server exists.", Detail = $"An MCP server named '{name}' is registered." });

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    private static partial Regex ServerName();
}

public sealed record McpServerRequest(string? Name, string? Url, Dictionary<string, string>? Headers, int? TimeoutSeconds);

/// <summary>A server as its tenant sees it: its tools, and the names of its headers, not their values.</summary>
public sealed record McpServerView(string Name, Uri Url, IReadOnlyList<string> Headers, int TimeoutSeconds, IReadOnlyList<McpToolInfo> Tools, DateTimeOffset? ToolsListedAt, DateTimeOffset CreatedAt)
{
    public static McpServerView Of(McpServer server) =>
        new(server.Name, server.Url, [.. server.Headers.Keys], server.TimeoutSeconds, server.Tools, server.ToolsListedAt, server.CreatedAt);
}
