using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Gateway.Apis;

/// <summary>A tenant's self-service with a <c>platform</c>-scoped key (a portal session is one): its profile, its API keys and its cache.</summary>
public static class TenantApi
{
    public static IEndpointRouteBuilder MapTenantApi(this IEndpointRouteBuilder app)
    {
        // Literal segments, so the platform proxy's /api/v1/{router,orchestrator,…}/… routes never take these.
        var api = app.MapGroup("api/v1").RequireAuthorization(GatewayAuthentication.PlatformPolicy);
        api.MapGet("/tenant", GetTenant);
        api.MapPatch("/tenant", UpdateTenant);
        api.MapGet("/keys", ListKeys);
        api.MapPost("/keys", CreateKey);
        api.MapDelete("/keys/{keyId:guid}", RevokeKey);
        api.MapGet("/cache", (HttpContext http, TenantCache cache) => GetCache(http.TenantKey().TenantId, cache));
        api.MapDelete("/cache", (HttpContext http, TenantCache cache) => FlushCache(http.TenantKey().TenantId, cache));
        return app;
    }

    public static async Task<Ok<TenantProfile>> GetTenant(HttpContext http, GatewayDbContext db, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().FirstAsync(t => t.Id == http.TenantKey().TenantId, cancellationToken);
        return TypedResults.Ok(TenantProfile.From(tenant));
    }

    /// <summary>The tenant's own settings: whether its requests use the exact and the semantic cache. Its keys everywhere see the change at once.</summary>
    public static async Task<Ok<TenantProfile>> UpdateTenant(
        HttpContext http, TenantSettingsRequest request, GatewayDbContext db, TenantContext tenantContext, TenantKeyInvalidator invalidator,
        CancellationToken cancellationToken)
    {
        var tenantId = http.TenantKey().TenantId;
        var tenant = await db.Tenants.FirstAsync(t => t.Id == tenantId, cancellationToken);
        tenant.CacheEnabled = request.CacheEnabled ?? tenant.CacheEnabled;
        tenant.SemanticCacheEnabled = request.SemanticCacheEnabled ?? tenant.SemanticCacheEnabled;
        await db.SaveChangesAsync(cancellationToken);
        tenantContext.Enter(tenantId);
        await invalidator.InvalidateTenantAsync(tenantId, cancellationToken);
        return TypedResults.Ok(TenantProfile.From(tenant));
    }

    /// <summary>The tenant's API keys; portal sessions are not among them.</summary>
    public static async Task<Ok<List<KeySummary>>> ListKeys(HttpContext http, GatewayDbContext db, TenantContext tenant, CancellationToken cancellationToken)
    {
        tenant.Enter(http.TenantKey().TenantId);
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.Kind == ApiKeyKinds.Api).OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.ConvertAll(KeySummary.From));
    }

    /// <summary>As the admin API's <see cref="KeysApi.CreateKey"/>, for the caller's tenant.</summary>
    public static async Task<Results<Created<CreatedKey>, ValidationProblem>> CreateKey(
        HttpContext http, CreateKeyRequest request, GatewayDbContext db, TenantContext tenant, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (KeysApi.Validate(request, now) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var created = await KeysApi.IssueAsync(http.TenantKey().TenantId, request, db, tenant, now, cancellationToken);
        return TypedResults.Created($"/api/v1/keys/{created.Details.Id}", created);
    }

    /// <summary>Revokes one of the tenant's API keys; row-level security makes another tenant's key id unknown here.</summary>
    public static async Task<Results<NoContent, NotFound>> RevokeKey(
        Guid keyId, HttpContext http, TenantContext tenant, TenantKeyInvalidator invalidator, CancellationToken cancellationToken)
    {
        tenant.Enter(http.TenantKey().TenantId);
        return await invalidator.RevokeAsync(k => k.Id == keyId && k.Kind == ApiKeyKinds.Api, cancellationToken) > 0
            ? TypedResults.NoContent()
            : TypedResults.NotFound();
    }

    /// <summary>What the tenant's exact and semantic caches hold.</summary>
    public static async Task<Results<Ok<CacheContents>, ProblemHttpResult>> GetCache(Guid tenantId, TenantCache cache)
    {
        try
        {
            return TypedResults.Ok(await cache.CountAsync(tenantId));
        }
        catch (RedisException)
        {
            return CacheUnavailable();
        }
    }

    /// <summary>Forgets every cached answer of the tenant's (after a knowledge or prompt change), and says what there was.</summary>
    public static async Task<Results<Ok<CacheContents>, ProblemHttpResult>> FlushCache(Guid tenantId, TenantCache cache)
    {
        try
        {
            return TypedResults.Ok(await cache.FlushAsync(tenantId));
        }
        catch (RedisException)
        {
            return CacheUnavailable();
        }
    }

    private static ProblemHttpResult CacheUnavailable() =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "Redis, which keeps the cache, is unavailable.");
}

public sealed record TenantProfile(Guid Id, string Name, string Plan, TenantStatus Status, bool CacheEnabled, bool SemanticCacheEnabled)
{
    public static TenantProfile From(Tenant tenant) =>
        new(tenant.Id, tenant.Name, tenant.Plan, tenant.Status, tenant.CacheEnabled, tenant.SemanticCacheEnabled);
}

public sealed record TenantSettingsRequest(bool? CacheEnabled, bool? SemanticCacheEnabled);
