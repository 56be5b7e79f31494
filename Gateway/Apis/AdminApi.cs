using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Infrastructure;
using Gateway.Model;
using Gateway.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gateway.Apis;

public static partial class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/admin").AddEndpointFilter<AdminKeyFilter>();

        api.MapGet("/tenants", ListTenants);
        api.MapGet("/tenants/{id:guid}", GetTenant);
        api.MapPost("/tenants", CreateTenant);

        api.MapPost("/diagnostics/ping", SendPing);
        api.MapGet("/diagnostics/ping/{id:guid}", GetPing);
        return app;
    }

    public static async Task<Ok<List<Tenant>>> ListTenants(GatewayDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken));

    public static async Task<Results<Ok<Tenant>, NotFound>> GetTenant(Guid id, GatewayDbContext db, CancellationToken cancellationToken) =>
        await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken) is { } tenant
            ? TypedResults.Ok(tenant)
            : TypedResults.NotFound();

    public static async Task<Results<Created<Tenant>, ValidationProblem, ProblemHttpResult>> CreateTenant(
        CreateTenantRequest request, GatewayDbContext db, TimeProvider time, CancellationToken cancellationToken)
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
        return TypedResults.Created($"/api/v1/admin/tenants/{tenant.Id}", tenant);
    }

    /// <summary>Publishes a ping on the event bus; Analytics records it with the trace it arrived in.</summary>
    public static async Task<Accepted<PingSent>> SendPing(EventPublisher events, CancellationToken cancellationToken)
    {
        var ping = new PlatformPingIntegrationEvent();
        await events.PublishAsync(PlatformPingIntegrationEvent.Subject, ping, cancellationToken);
        return TypedResults.Accepted($"/api/v1/admin/diagnostics/ping/{ping.Id}", new PingSent(ping.Id, Activity.Current?.TraceId.ToHexString()));
    }

    public static async Task<Results<Ok<PingReceipt>, NotFound>> GetPing(Guid id, AnalyticsClient analytics, CancellationToken cancellationToken) =>
        await analytics.GetPingReceiptAsync(id, cancellationToken) is { } receipt ? TypedResults.Ok(receipt) : TypedResults.NotFound();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex TenantName();
}

public sealed record CreateTenantRequest(string? Name, string? Plan);

public sealed record PingSent(Guid Id, string? TraceId);
