using Billing.Infrastructure;
using Billing.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Billing.Apis;

public static class PlansApi
{
    public static IEndpointRouteBuilder MapPlansApi(this IEndpointRouteBuilder app)
    {
        // Any caller the Gateway vouches for (tenant or operator) may read the price list.
        var api = app.MapGroup("api/v1/billing/plans").RequireAuthorization();
        api.MapGet("/", ListPlans);
        return app;
    }

    public static async Task<Ok<List<Plan>>> ListPlans(BillingDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Plans.AsNoTracking().OrderBy(p => p.MonthlyFee).ToListAsync(cancellationToken));
}
