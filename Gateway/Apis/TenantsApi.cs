using System.Text.RegularExpressions;
using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gateway.Apis;

public static partial class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/tenants", ListTenants);
        admin.MapGet("/tenants/{id:guid}", GetTenant);
        admin.MapPost("/tenants", CreateTenant);
        admin.MapPatch("/tenants/{id:guid}", UpdateTenant);
        admin.MapDelete("/tenants/{id:guid}/cache", FlushCache);
        return admin;
    }

    /// <summary>An operator flushes a tenant's cache, as the tenant can itself (<see cref="TenantApi.FlushCache"/>).</summary>
    public static async Task<IResult> FlushCache(Guid id, GatewayDbContext db, TenantCache cache, CancellationToken cancellationToken) =>
        await db.Tenants.AnyAsync(t => t.Id == id, cancellationToken) ? await TenantApi.FlushCache(id, cache) : TypedResults.NotFound();

    public static async Task<Ok<List<Tenant>>> ListTenants(GatewayDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken));

    public static async Task<Results<Ok<Tenant>, NotFound>> GetTenant(Guid id, GatewayDbContext db, CancellationToken cancellationToken) =>
        await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken) is { } tenant
            ? TypedResults.Ok(tenant)
            : TypedResults.NotFound();

    public static async Task<Results<Created<Tenant>, ValidationProblem, ProblemHttpResult>> CreateTenant(
        CreateTenantRequest request, GatewayDbContext db, OutboxPublisher events, TimeProvider time, CancellationToken cancellationToken)
    {
        var plan = request.Plan ?? TenantPlans.Free;
        var errors = new Dictionary<string, string[]>();
        if (request.Name is null || !TenantName().IsMatch(request.Name))
        {
            errors["name"] = ["A name is 1 to 64 lowercase letters, digits or dashes, starting with a letter or digit."];
        }
        if (!TenantPlans.All.Contains(plan))
        {
            errors["plan"] = [$"The plan is one of: {string.Join(", ", TenantPlans.All)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = new Tenant { Id = Guid.CreateVersion7(), Name = request.Name!, Plan = plan, CreatedAt = time.GetUtcNow() };
        db.Tenants.Add(tenant);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"A tenant named '{tenant.Name}' exists.");
        }
        await events.PublishAsync(TenantPlanChangedIntegrationEvent.Subject, new TenantPlanChangedIntegrationEvent { TenantId = tenant.Id, Plan = tenant.Plan, OccurredAt = tenant.CreatedAt });
        return TypedResults.Created($"/api/v1/admin/tenants/{tenant.Id}", tenant);
    }

    /// <summary>Changes a tenant's plan or status; its keys everywhere see the change at once, Billing prorates from now.</summary>
    public static async Task<Results<Ok<Tenant>, NotFound, ValidationProblem>> UpdateTenant(
        Guid id, UpdateTenantRequest request, GatewayDbContext db, TenantContext tenantContext, TenantKeyInvalidator invalidator, OutboxPublisher events,
        CancellationToken cancellationToken)
    {
        if (request.Plan is { } plan && !TenantPlans.All.Contains(plan))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["plan"] = [$"The plan is one of: {string.Join(", ", TenantPlans.All)}."] });
        }
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tenant is null)
        {
            return TypedResults.NotFound();
        }
        var planChanged = request.Plan is not null && request.Plan != tenant.Plan;
        tenant.Plan = request.Plan ?? tenant.Plan;
        tenant.Status = request.Status ?? tenant.Status;
        tenant.CacheEnabled = request.CacheEnabled ?? tenant.CacheEnabled;
        tenant.SemanticCacheEnabled = request.SemanticCacheEnabled ?? tenant.SemanticCacheEnabled;
        await db.SaveChangesAsync(cancellationToken);
        if (planChanged)
        {
            await events.PublishAsync(TenantPlanChangedIntegrationEvent.Subject, new TenantPlanChangedIntegrationEvent { TenantId = id, Plan = tenant.Plan });
        }

        tenantContext.Enter(id);
        await invalidator.InvalidateTenantAsync(id, cancellationToken);
        return TypedResults.Ok(tenant);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex TenantName();
}

public sealed record CreateTenantRequest(string? Name, string? Plan);

public sealed record UpdateTenantRequest(string? Plan, TenantStatus? Status, bool? CacheEnabled, bool? SemanticCacheEnabled);
