using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Router.Infrastructure;
using Router.Model;
using Router.Services;

namespace Router.Apis;

public static class RoutingPolicyApi
{
    public static IEndpointRouteBuilder MapRoutingPolicyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/router/policy").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/", GetPolicy);
        api.MapPut("/", PutPolicy);
        api.MapGet("/canary", GetCanary);
        api.MapPut("/canary", PutCanary);
        api.MapPost("/canary/promote", PromoteCanary);
        api.MapDelete("/canary", AbortCanary);
        return app;
    }

    public static async Task<Ok<RoutingPolicy>> GetPolicy(RouterDbContext db, TenantContext tenant, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.RoutingPolicies.AsNoTracking().FirstOrDefaultAsync(cancellationToken)
            ?? new RoutingPolicy { TenantId = tenant.RequiredTenantId });

    public static async Task<Results<Ok<RoutingPolicy>, ValidationProblem>> PutPolicy(
        RoutingPolicy request, RouterDbContext db, TenantContext tenant, TimeProvider time, PolicyStore policies, CancellationToken cancellationToken)
    {
        if (Validate(request) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Row-level security: this finds the caller's policy or none, whatever the query says.
        var policy = await db.RoutingPolicies.FirstOrDefaultAsync(cancellationToken);
        if (policy is null)
        {
            policy = new RoutingPolicy { TenantId = tenant.RequiredTenantId };
            db.RoutingPolicies.Add(policy);
        }
        policy.CopyFrom(request);
        policy.Version++;
        policy.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        policies.Forget();
        return TypedResults.Ok(policy);
    }

    public static async Task<Results<Ok<CanaryView>, NotFound>> GetCanary(RouterDbContext db, CanaryJudge judge, CancellationToken cancellationToken)
    {
        var canary = await db.PolicyCanaries.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        if (canary is null)
        {
            return TypedResults.NotFound();
        }
        var (stable, canaryArm) = await judge.FiguresAsync(canary);
        return TypedResults.Ok(new CanaryView(canary, stable, canaryArm));
    }

    /// <summary>Starts a canary (replacing a running one): the policy serves <c>share</c> of decisions until judged.</summary>
    public static async Task<Results<Ok<PolicyCanary>, ValidationProblem>> PutCanary(
        CanaryRequest request, RouterDbContext db, TenantContext tenant, TimeProvider time, PolicyStore policies, CancellationToken cancellationToken)
    {
        var errors = request.Policy is null ? new Dictionary<string, string[]> { ["policy"] = ["Give the canary's policy."] } : Validate(request.Policy);
        if (request.Share is not (> 0 and <= 0.5))
        {
            errors["share"] = ["A canary serves a share of decisions above 0 and at most 0.5."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var stableVersion = await db.RoutingPolicies.Select(p => (int?)p.Version).FirstOrDefaultAsync(cancellationToken) ?? 0;
        var canary = await db.PolicyCanaries.FirstOrDefaultAsync(cancellationToken);
        if (canary is null)
        {
            canary = new PolicyCanary { TenantId = tenant.RequiredTenantId };
            db.PolicyCanaries.Add(canary);
        }
        var policy = new RoutingPolicy { TenantId = tenant.RequiredTenantId, Version = stableVersion + 1 };
        policy.CopyFrom(request.Policy!);
        canary.Policy = policy;
        canary.Share = request.Share;
        canary.Status = CanaryStatuses.Running;
        canary.Reason = null;
        canary.StartedAt = time.GetUtcNow();
        canary.EndedAt = null;
        await db.SaveChangesAsync(cancellationToken);
        policies.Forget();
        return TypedResults.Ok(canary);
    }

    public static async Task<Results<Ok<PolicyCanary>, NotFound>> PromoteCanary(RouterDbContext db, CanaryJudge judge, CancellationToken cancellationToken) =>
        await EndCanaryAsync(db, judge, CanaryStatuses.Promoted, "promoted by hand", cancellationToken);

    public static async Task<Results<Ok<PolicyCanary>, NotFound>> AbortCanary(RouterDbContext db, CanaryJudge judge, CancellationToken cancellationToken) =>
        await EndCanaryAsync(db, judge, CanaryStatuses.Aborted, "aborted by hand", cancellationToken);

    private static async Task<Results<Ok<PolicyCanary>, NotFound>> EndCanaryAsync(RouterDbContext db, CanaryJudge judge, string status, string reason, CancellationToken cancellationToken)
    {
        var running = await db.PolicyCanaries.AsNoTracking().FirstOrDefaultAsync(c => c.Status == CanaryStatuses.Running, cancellationToken);
        return running is not null && await judge.EndAsync(CanaryJudge.CanaryId(running), status, reason, cancellationToken) is { } ended
            ? TypedResults.Ok(ended)
            : TypedResults.NotFound();
    }

    private static Dictionary<string, string[]> Validate(RoutingPolicy policy)
    {
        var errors = new Dictionary<string, string[]>();
        if (policy.Lambda is < 0 or > 1000 || double.IsNaN(policy.Lambda))
        {
            errors["lambda"] = ["λ is a number from 0 to 1000."];
        }
        if (policy.MaxCostPerRequest is < 0)
        {
            errors["maxCostPerRequest"] = ["The maximum cost per request is not negative."];
        }
        if (policy.AllowedModels.Any(string.IsNullOrWhiteSpace) || policy.PreferredTiers.Any(string.IsNullOrWhiteSpace) || policy.Tags.Any(string.IsNullOrWhiteSpace))
        {
            errors["policy"] = ["Lists hold no empty entries."];
        }
        if (!RoutingPolicyStrategies.All.Contains(policy.Strategy))
        {
            errors["strategy"] = ["The strategy is auto, single, parallel or cascade."];
        }
        if (policy.Hedge is < 1 or > 8)
        {
            errors["hedge"] = ["Hedge 1 to 8 models."];
        }
        if (policy.PreferredTiers.Any(t => !ModelTiers.All.Contains(t)))
        {
            errors["preferredTiers"] = [$"Tiers are {string.Join(", ", ModelTiers.All)}."];
        }
        return errors;

    }
}

public sealed record CanaryRequest(RoutingPolicy? Policy, double Share);

public sealed record CanaryView(PolicyCanary Canary, ArmFigures StableArm, ArmFigures CanaryArm);
