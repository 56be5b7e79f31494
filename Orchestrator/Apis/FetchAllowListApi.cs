using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Orchestrator.Infrastructure;
using Orchestrator.Model;

namespace Orchestrator.Apis;

/// <summary>The hosts the tenant's agents may fetch from with <c>http_fetch</c>: none until the tenant names some.</summary>
public static partial class FetchAllowListApi
{
    public const int MaxHosts = 100;

    public static IEndpointRouteBuilder MapFetchAllowListApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/orchestrator/fetch-allow-list").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/", GetAllowList);
        api.MapPut("/", SaveAllowList);
        return app;
    }

    public static async Task<Ok<FetchAllowListView>> GetAllowList(OrchestratorDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(FetchAllowListView.Of(await db.FetchAllowLists.AsNoTracking().FirstOrDefaultAsync(cancellationToken)));

    public static async Task<Results<Ok<FetchAllowListView>, ValidationProblem, Conflict<ProblemDetails>>> SaveAllowList(
        FetchAllowListRequest request, OrchestratorDbContext db, TenantContext tenant, TimeProvider time, CancellationToken cancellationToken)
    {
        var hosts = (request.Hosts ?? []).Select(h => h.Trim().ToLowerInvariant()).Distinct().ToList();
        var wrong = hosts.Where(h => !HostPattern().IsMatch(h)).ToList();
        if (wrong.Count > 0 || hosts.Count > MaxHosts)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["hosts"] = [$"Up to {MaxHosts} host names (docs.example.com) or subdomain patterns (*.example.com), without scheme, port or path.{(wrong.Count > 0 ? $" Not host names: {string.Join(", ", wrong)}." : "")}"],
            });
        }
        var list = await db.FetchAllowLists.FirstOrDefaultAsync(cancellationToken);
        if (list is null)
        {
            list = new FetchAllowList { TenantId = tenant.RequiredTenantId };
            db.FetchAllowLists.Add(list);
        }
        list.Hosts = hosts;
        list.UpdatedAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Conflict(new ProblemDetails { Title = "The allow-list was created at the same time by another request; send it again.", Status = StatusCodes.Status409Conflict });
        }
        return TypedResults.Ok(FetchAllowListView.Of(list));
    }

    // A DNS name or an IPv4 address, optionally as *.<name>.
    [GeneratedRegex(@"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")]
    private static partial Regex HostPattern();
}

public sealed record FetchAllowListRequest(List<string>? Hosts);

public sealed record FetchAllowListView(List<string> Hosts, DateTimeOffset? UpdatedAt)
{
    public static FetchAllowListView Of(FetchAllowList? list) => new(list?.Hosts ?? [], list?.UpdatedAt);
}
