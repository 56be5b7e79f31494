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
        return app;
    }

    public static async Task<Ok<RoutingPolicy>> GetPolicy(RouterDbContext db, TenantContext tenant, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.RoutingPolicies.AsNoTracking().FirstOrDefaultAsync(cancellationToken)
            ?? new RoutingPolicy { TenantId = tenant.RequiredTenantId });

    public static async Task<Results<Ok<RoutingPolicy>, ValidationProblem>> PutPolicy(
        RoutingPolicy request, RouterDbContext db, TenantContext tenant, TimeProvider time, PolicyStore policies, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Lambda is < 0 or > 1000 || double.IsNaN(request.Lambda))
        {
            errors["lambda"] = ["λ is a number from 0 to 1000."];
        }
        if (request.MaxCostPerRequest is < 0)
        {
            errors["maxCostPerRequest"] = ["The maximum cost per request is not negative."];
        }
        if (request.AllowedModels.Any(string.IsNullOrWhiteSpace) || request.PreferredTiers.Any(string.IsNullOrWhiteSpace) || request.Tags.Any(string.IsNullOrWhiteSpace))
        {
            errors["policy"] = ["Lists hold no empty entries."];
        }
        if (!RoutingPolicyStrategies.All.Contains(request.Strategy))
        {
            errors["strategy"] = ["The strategy is auto, single, parallel or cascade."];
        }
        if (request.Hedge is < 1 or > 8)
        {
            errors["hedge"] = ["Hedge 1 to 8 models."];
        }
        if (request.PreferredTiers.Any(t => !ModelTiers.All.Contains(t)))
        {
            errors["preferredTiers"] = [$"Tiers are {string.Join(", ", ModelTiers.All)}."];
        }
        if (errors.Count > 0)
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
        policy.AllowedModels = request.AllowedModels;
        policy.MaxCostPerRequest = request.MaxCostPerRequest;
        policy.PreferredTiers = request.PreferredTiers;
        policy.Lambda = request.Lambda;
        policy.Tags = request.Tags;
        policy.Strategy = request.Strategy;
        policy.Hedge = request.Hedge;
        policy.Version++;
        policy.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        policies.Forget();
        return TypedResults.Ok(policy);
    }
}
