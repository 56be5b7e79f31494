using System.Text.RegularExpressions;
using Billing.Infrastructure;
using Billing.Model;
using Billing.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Billing.Apis;

public static partial class PlansApi
{
    public static IEndpointRouteBuilder MapPlansApi(this IEndpointRouteBuilder app)
    {
        // Any caller the Gateway vouches for (tenant or operator) may read the price list: public plans, and a tenant's custom one.
        app.MapGet("api/v1/billing/plans", ListPlans).RequireAuthorization();

        // Operators make custom plans for one tenant and put tenants on them; plan changes otherwise come from the Gateway.
        var admin = app.MapGroup("api/v1/billing/admin").RequireAuthorization(TenancyExtensions.OperatorPolicy);
        admin.MapPut("/plans/{id}", PutCustomPlan);
        admin.MapPut("/tenants/{tenantId:guid}/subscription", Subscribe);
        return app;
    }

    public static async Task<Ok<List<Plan>>> ListPlans(BillingDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Plans.AsNoTracking().OrderBy(p => p.MonthlyFee).ThenBy(p => p.Id).ToListAsync(cancellationToken));

    public static async Task<Results<Ok<Plan>, ValidationProblem, ProblemHttpResult>> PutCustomPlan(
        string id, CustomPlanRequest request, BillingDbContext db, TenantContext tenant, BudgetEnforcer enforcer, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!PlanId().IsMatch(id))
        {
            errors["id"] = ["A plan id is 1 to 64 lowercase letters, digits or dashes."];
        }
        if (request.TenantId is null)
        {
            errors["tenantId"] = ["A custom plan is for one tenant: give its tenantId."];
        }
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 64)
        {
            errors["name"] = ["A name of 1 to 64 characters is required."];
        }
        if (request.MonthlyFee is < 0 || request.IncludedUsage is < 0 || request.SoftLimit is < 0 || request.HardLimit is < 0)
        {
            errors["monthlyFee"] = ["Amounts are USD of 0 or more."];
        }
        if (request.HardLimitStatus is not (null or 429 or 402))
        {
            errors["hardLimitStatus"] = ["The status at a hard limit is 429 or 402."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        tenant.Enter(request.TenantId!.Value);
        var plan = await db.Plans.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (plan is { TenantId: null })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"'{id}' is a public plan; a custom plan needs an id of its own.");
        }
        if (plan is null)
        {
            plan = new Plan { Id = id, Name = request.Name!, TenantId = request.TenantId };
            db.Plans.Add(plan);
        }
        plan.Name = request.Name!;
        plan.MonthlyFee = request.MonthlyFee ?? 0;
        plan.IncludedUsage = request.IncludedUsage ?? 0;
        plan.AllowsOverage = request.AllowsOverage ?? true;
        plan.SoftLimit = request.SoftLimit;
        plan.HardLimit = request.HardLimit;
        plan.HardLimitStatus = request.HardLimitStatus ?? StatusCodes.Status429TooManyRequests;
        await db.SaveChangesAsync(cancellationToken);
        // A tenant already on the plan is held to its new limits from its next request.
        await enforcer.EnforceAsync(request.TenantId.Value, cancellationToken);
        return TypedResults.Ok(plan);
    }

    /// <summary>Puts a tenant on a plan (public or its custom one) from now; the invoice prorates both.</summary>
    public static async Task<Results<Ok<Subscription>, ProblemHttpResult>> Subscribe(
        Guid tenantId, SubscribeRequest request, BillingDbContext db, TenantContext tenant, BudgetEnforcer enforcer, TimeProvider time, CancellationToken cancellationToken)
    {
        tenant.Enter(tenantId);
        if (request.Plan is null || !await db.Plans.AnyAsync(p => p.Id == request.Plan, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"No plan '{request.Plan}' for this tenant.");
        }
        var subscription = new Subscription { Id = Guid.CreateVersion7(), TenantId = tenantId, PlanId = request.Plan, StartsAt = time.GetUtcNow() };
        db.Subscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        await enforcer.EnforceAsync(tenantId, cancellationToken);
        return TypedResults.Ok(subscription);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex PlanId();
}

public sealed record CustomPlanRequest(
    Guid? TenantId, string? Name, decimal? MonthlyFee, decimal? IncludedUsage, bool? AllowsOverage, decimal? SoftLimit, decimal? HardLimit, int? HardLimitStatus);

public sealed record SubscribeRequest(string? Plan);
