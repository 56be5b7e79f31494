using Analytics.Infrastructure;
using Analytics.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Analytics.Apis;

public static class DiagnosticsApi
{
    public static IEndpointRouteBuilder MapDiagnosticsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/analytics/diagnostics").RequireAuthorization(TenancyExtensions.OperatorPolicy);
        api.MapGet("/pings/{id:guid}", GetPingReceipt);
        return app;
    }

    public static async Task<Results<Ok<PingReceipt>, NotFound>> GetPingReceipt(Guid id, AnalyticsDbContext db, CancellationToken cancellationToken) =>
        await db.PingReceipts.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken) is { } receipt
            ? TypedResults.Ok(receipt)
            : TypedResults.NotFound();
}
