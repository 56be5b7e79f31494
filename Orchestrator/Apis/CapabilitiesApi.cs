using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Agents;
using Orchestrator.Infrastructure;
using Orchestrator.Model;

namespace Orchestrator.Apis;

/// <summary>
/// The tenant's tool capabilities: one name an agent's model calls (<c>capability:&lt;name&gt;</c> in its tools), served
/// by tools in order with fallbacks, each guarded by a timeout, a circuit breaker and a bulkhead.
/// </summary>
public static partial class CapabilitiesApi
{
    public static IEndpointRouteBuilder MapCapabilitiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/orchestrator/capabilities").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/", ListCapabilities);
        api.MapGet("/{name}", GetCapability);
        api.MapPut("/{name}", SaveCapability);
        api.MapDelete("/{name}", DeleteCapability);
        return app;
    }

    public static async Task<Ok<List<ToolCapability>>> ListCapabilities(OrchestratorDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.ToolCapabilities.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken));

    public static async Task<Results<Ok<ToolCapability>, NotFound>> GetCapability(string name, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        await db.ToolCapabilities.AsNoTracking().FirstOrDefaultAsync(c => c.Name == name, cancellationToken) is { } capability ? TypedResults.Ok(capability) : TypedResults.NotFound();

    /// <summary>Creates or changes the capability; a change takes effect for calls made from now on, with fresh breakers.</summary>
    public static async Task<Results<Ok<ToolCapability>, ValidationProblem>> SaveCapability(
        string name, CapabilityRequest request, OrchestratorDbContext db, OperatorMcpServers operatorServers, TenantContext tenant, TimeProvider time, CancellationToken cancellationToken)
    {
        var policy = request.Policy ?? new ToolPolicy();
        var errors = new Dictionary<string, string[]>();
        if (!CapabilityName().IsMatch(name) || BuiltInTools.Names.Contains(name))
        {
            errors["name"] = ["A name is a function name: 1 to 64 lowercase letters, digits or '_', starting with a letter, and not a built-in tool's."];
        }
        var tools = request.Tools ?? [];
        var registered = await McpServersApi.ServersNamedAsync(tools, db, operatorServers, tenant.RequiredTenantId, cancellationToken);
        var wrong = tools.Where(t => !AgentsApi.IsTool(t, registered)).ToList();
        if (tools.Count is 0 or > 8 || wrong.Count > 0)
        {
            errors["tools"] = [$"1 to 8 tools, tried in order: built-in ({string.Join(", ", BuiltInTools.Names)}) or 'mcp:<server>/<tool>' of a registered (or the operator's) MCP server; not: {string.Join(", ", wrong)}."];
        }
        if (policy.TimeoutSeconds is < 1 or > 300 || policy.MaxConcurrency is < 1 or > 1_000 || policy.FailureRatio is <= 0 or > 1
            || policy.MinimumThroughput is < 2 or > 1_000 || policy.BreakSeconds is < 1 or > 3_600 || policy.Retries is < 0 or > 5)
        {
            errors["policy"] = ["timeoutSeconds 1–300, maxConcurrency 1–1000, failureRatio above 0 up to 1, minimumThroughput 2–1000, breakSeconds 1–3600, retries 0–5."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var capability = await db.ToolCapabilities.FirstOrDefaultAsync(c => c.Name == name, cancellationToken);
        if (capability is null)
        {
            capability = new ToolCapability { Id = Guid.CreateVersion7(), TenantId = tenant.RequiredTenantId, Name = name };
            db.ToolCapabilities.Add(capability);
        }
        capability.Description = request.Description ?? "";
        capability.Tools = tools;
        capability.Policy = policy;
        capability.Version++;
        capability.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(capability);
    }

    public static async Task<Results<NoContent, NotFound>> DeleteCapability(string name, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        await db.ToolCapabilities.Where(c => c.Name == name).ExecuteDeleteAsync(cancellationToken) > 0 ? TypedResults.NoContent() : TypedResults.NotFound();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex CapabilityName();
}

public sealed record CapabilityRequest(string? Description, List<string>? Tools, ToolPolicy? Policy);
