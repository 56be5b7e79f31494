using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Agents;
using Orchestrator.Infrastructure;
using Orchestrator.Model;

namespace Orchestrator.Apis;

/// <summary>
/// The tenant's agents: each save is a new version (the runs record which one served them); a name is the agent's
/// address, as <c>model: "agent/&lt;name&gt;"</c> and <c>/v1/agents/&lt;name&gt;/runs</c>.
/// </summary>
public static partial class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/orchestrator/agents").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/", ListAgents);
        api.MapPost("/", CreateAgent);
        api.MapGet("/{name}", GetAgent);
        api.MapPut("/{name}", SaveAgent);
        api.MapDelete("/{name}", DeleteAgent);
        api.MapGet("/{name}/versions", ListVersions);
        return app;
    }

    public static async Task<Ok<List<AgentView>>> ListAgents(OrchestratorDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Agents.AsNoTracking().OrderBy(a => a.Name)
            .Join(db.AgentVersions.AsNoTracking(), a => new { a.Id, Version = a.CurrentVersion }, v => new { Id = v.AgentId, v.Version }, (a, v) => new AgentView(a.Name, v.Version, v.Definition, a.CreatedAt, a.UpdatedAt))
            .ToListAsync(cancellationToken));

    public static async Task<Results<Created<AgentView>, ValidationProblem, Conflict<ProblemDetails>>> CreateAgent(
        AgentRequest request, OrchestratorDbContext db, OperatorMcpServers operatorServers, TenantContext tenant, ModelCatalog catalog, IOptions<AgentOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await ValidateAsync(request.Name, request, db, operatorServers, tenant.RequiredTenantId, catalog, options.Value, cancellationToken) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await db.Agents.AnyAsync(a => a.Name == request.Name, cancellationToken))
        {
            return Exists(request.Name!);
        }
        try
        {
            var view = await AddVersionAsync(db, null, request.Name!, request.ToDefinition(), tenant, time, cancellationToken);
            return TypedResults.Created($"/api/v1/orchestrator/agents/{view.Name}", view);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Exists(request.Name!);
        }
    }

    public static async Task<Results<Ok<AgentView>, NotFound>> GetAgent(string name, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        await db.Agents.AsNoTracking().Where(a => a.Name == name)
            .Join(db.AgentVersions.AsNoTracking(), a => new { a.Id, Version = a.CurrentVersion }, v => new { Id = v.AgentId, v.Version }, (a, v) => new AgentView(a.Name, v.Version, v.Definition, a.CreatedAt, a.UpdatedAt))
            .FirstOrDefaultAsync(cancellationToken) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    /// <summary>Saves a new version of the agent (creating it if there is none), which serves the runs from now on.</summary>
    public static async Task<Results<Ok<AgentView>, ValidationProblem>> SaveAgent(
        string name, AgentRequest request, OrchestratorDbContext db, OperatorMcpServers operatorServers, TenantContext tenant, ModelCatalog catalog, IOptions<AgentOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await ValidateAsync(name, request, db, operatorServers, tenant.RequiredTenantId, catalog, options.Value, cancellationToken) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Name == name, cancellationToken);
        return TypedResults.Ok(await AddVersionAsync(db, agent, name, request.ToDefinition(), tenant, time, cancellationToken));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteAgent(string name, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        await db.Agents.Where(a => a.Name == name).ExecuteDeleteAsync(cancellationToken) > 0 ? TypedResults.NoContent() : TypedResults.NotFound();

    public static async Task<Results<Ok<List<AgentVersionView>>, NotFound>> ListVersions(string name, OrchestratorDbContext db, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Name == name, cancellationToken);
        return agent is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(await db.AgentVersions.AsNoTracking().Where(v => v.AgentId == agent.Id).OrderByDescending(v => v.Version)
                .Select(v => new AgentVersionView(v.Version, v.Definition, v.CreatedAt)).ToListAsync(cancellationToken));
    }

    private static async Task<AgentView> AddVersionAsync(
        OrchestratorDbContext db, Agent? agent, string name, AgentDefinition definition, TenantContext tenant, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (agent is null)
        {
            agent = new Agent { Id = Guid.CreateVersion7(), TenantId = tenant.RequiredTenantId, Name = name, CreatedAt = now };
            db.Agents.Add(agent);
        }
        agent.CurrentVersion++;
        agent.UpdatedAt = now;
        db.AgentVersions.Add(new AgentVersion { AgentId = agent.Id, TenantId = agent.TenantId, Version = agent.CurrentVersion, Definition = definition, CreatedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        return new AgentView(agent.Name, agent.CurrentVersion, definition, agent.CreatedAt, agent.UpdatedAt);
    }

    private static Conflict<ProblemDetails> Exists(string name) =>
        TypedResults.Conflict(new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "The agent exists.", Detail = $"An agent named '{name}' exists: PUT /api/v1/orchestrator/agents/{name} saves a new version of it." });

    private static async Task<Dictionary<string, string[]>> ValidateAsync(
        string? name, AgentRequest request, OrchestratorDbContext db, OperatorMcpServers operatorServers, Guid tenantId, ModelCatalog catalog, AgentOptions options,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (name is null || !AgentName().IsMatch(name) || name == AgentRunsApi.RunsSegment)
        {
            errors["name"] = ["A name is 1 to 64 lowercase letters, digits, '-' or '_', starting with a letter or digit ('runs' is taken)."];
        }
        if (request.Instructions is not { Length: > 0 and <= 32_000 })
        {
            errors["instructions"] = ["Instructions are 1 to 32,000 characters."];
        }
        if (request.Description?.Length > 1_000)
        {
            errors["description"] = ["A description is at most 1,000 characters."];
        }
        var model = request.Model ?? "auto";
        if (model != "auto" && catalog.Find(model).Model is not { IsEmbedding: false })
        {
            errors["model"] = [$"'{model}' is not a chat model of the catalog (provider/model), nor 'auto'."];
        }
        var tools = request.Tools ?? [];
        var registered = await McpServersApi.ServersNamedAsync(tools, db, operatorServers, tenantId, cancellationToken);
        var capabilities = tools.Where(t => t.StartsWith(RunToolsFactory.CapabilityPrefix, StringComparison.Ordinal)).Select(t => t[RunToolsFactory.CapabilityPrefix.Length..]).ToList();
        var defined = await db.ToolCapabilities.AsNoTracking().Where(c => capabilities.Contains(c.Name)).Select(c => c.Name).ToListAsync(cancellationToken);
        var wrong = tools.Where(t => !IsTool(t, registered) && !(t.StartsWith(RunToolsFactory.CapabilityPrefix, StringComparison.Ordinal) && defined.Contains(t[RunToolsFactory.CapabilityPrefix.Length..]))).ToList();
        if (wrong.Count > 0 || tools.Count > 64)
        {
            errors["tools"] = [$"Tools are built-in ({string.Join(", ", BuiltInTools.Names)}), 'mcp:<server>/<tool>' ('/*' for all) of a registered (or the operator's) MCP server or 'capability:<name>' of a defined capability, at most 64; not: {string.Join(", ", wrong)}."];
        }
        var limits = request.Limits ?? new AgentLimits();
        if (limits.MaxIterations < 1 || limits.MaxIterations > options.MaxIterationsCeiling)
        {
            errors["limits.maxIterations"] = [$"Between 1 and {options.MaxIterationsCeiling}."];
        }
        if (limits.MaxToolCalls is < 0 or > 200)
        {
            errors["limits.maxToolCalls"] = ["Between 0 and 200."];
        }
        if (limits.MaxCostUsd is <= 0 or > 1_000)
        {
            errors["limits.maxCostUsd"] = ["Above 0 and at most 1,000."];
        }
        if (limits.MaxSeconds is < 1 or > 3_600)
        {
            errors["limits.maxSeconds"] = ["Between 1 and 3,600."];
        }
        if (request.Critic is { } critic)
        {
            if (critic.Model != "auto" && catalog.Find(critic.Model).Model is not { IsEmbedding: false })
            {
                errors["critic.model"] = [$"'{critic.Model}' is not a chat model of the catalog (provider/model), nor 'auto'."];
            }
            if (critic.Threshold is < 0 or > 1 || critic.MaxRetries is < 0 or > 5 || critic.Instructions?.Length > 4_000)
            {
                errors["critic"] = ["A threshold from 0 to 1, 0 to 5 retries, and instructions of at most 4,000 characters."];
            }
        }
        if (request.Memory is { } memory
            && (memory.ConversationTokens is < 100 or > 100_000 || memory.ConversationHours is < 1 or > 24 * 90 || memory.RecallTop is < 0 or > 20 || memory.RecallThreshold is < 0 or > 1))
        {
            errors["memory"] = ["Conversation tokens from 100 to 100,000, conversation hours from 1 to 2,160, recall top from 0 to 20, and a recall threshold from 0 to 1."];
        }
        return errors;
    }

    /// <summary>A built-in tool, or a tool (or all tools) of one of the <paramref name="registered"/> MCP servers (the tenant's or the operator's).</summary>
    public static bool IsTool(string tool, IReadOnlyCollection<string> registered) =>
        BuiltInTools.Names.Contains(tool)
        || (tool.StartsWith(RunToolsFactory.McpPrefix, StringComparison.Ordinal) && tool[RunToolsFactory.McpPrefix.Length..].Split('/') is [var server, { Length: > 0 }] && registered.Contains(server));

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex AgentName();
}

public sealed record AgentRequest(string? Name, string? Description, string? Instructions, string? Model, List<string>? Tools, AgentLimits? Limits, CriticSettings? Critic = null, MemorySettings? Memory = null)
{
    public AgentDefinition ToDefinition() => new()
    {
        Description = Description ?? "",
        Instructions = Instructions!,
        Model = Model ?? "auto",
        Tools = Tools ?? [],
        Limits = Limits ?? new AgentLimits(),
        Critic = Critic,
        Memory = Memory,
    };
}

public sealed record AgentView(string Name, int Version, AgentDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record AgentVersionView(int Version, AgentDefinition Definition, DateTimeOffset CreatedAt);
