using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Apis;

public static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this RouteGroupBuilder admin)
    {
        var keys = admin.MapGroup("/tenants/{tenantId:guid}/keys");
        keys.MapPost("/", CreateKey);
        keys.MapGet("/", ListKeys);
        keys.MapDelete("/{keyId:guid}", RevokeKey);
        return admin;
    }

    /// <summary>Creates a key; the response is the only place its secret ever appears.</summary>
    public static async Task<Results<Created<CreatedKey>, NotFound, ValidationProblem>> CreateKey(
        Guid tenantId, CreateKeyRequest request, GatewayDbContext db, TenantContext tenant, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        var now = time.GetUtcNow();
        if (Validate(request, now) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var created = await IssueAsync(tenantId, request, db, tenant, now, cancellationToken);
        return TypedResults.Created($"/api/v1/admin/tenants/{tenantId}/keys/{created.Details.Id}", created);
    }

    public static async Task<Ok<List<KeySummary>>> ListKeys(Guid tenantId, GatewayDbContext db, TenantContext tenant, CancellationToken cancellationToken)
    {
        tenant.Enter(tenantId);
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.ConvertAll(KeySummary.From));
    }

    /// <summary>Revokes a key: every Gateway refuses it from the next request on. Revoking twice is harmless.</summary>
    public static async Task<Results<NoContent, NotFound>> RevokeKey(
        Guid tenantId, Guid keyId, TenantContext tenant, TenantKeyInvalidator invalidator, CancellationToken cancellationToken)
    {
        tenant.Enter(tenantId);
        return await invalidator.RevokeAsync(k => k.Id == keyId, cancellationToken) > 0 ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    /// <summary>What is wrong with a request for a new key, by field; empty when nothing is.</summary>
    internal static Dictionary<string, string[]> Validate(CreateKeyRequest request, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 128)
        {
            errors["name"] = ["A key needs a name of up to 128 characters."];
        }
        if (request.Scopes is { } scopes && (scopes.Length == 0 || scopes.Any(s => !ApiKeyScopes.All.Contains(s))))
        {
            errors["scopes"] = [$"Scopes are one or more of: {string.Join(", ", ApiKeyScopes.All)}."];
        }
        if (request.RequestsPerMinute is < 1 || request.TokensPerMinute is < 1)
        {
            errors["limits"] = ["Limits per minute are positive."];
        }
        if (request.ExpiresAt <= now)
        {
            errors["expiresAt"] = ["The expiry is in the future."];
        }
        if (request.AllowedModels?.Any(string.IsNullOrWhiteSpace) == true)
        {
            errors["allowedModels"] = ["Allowed models are non-empty model ids."];
        }
        return errors;
    }

    /// <summary>Stores a key for a <see cref="Validate"/>d request in the tenant's context; its secret is in the result only.</summary>
    internal static async Task<CreatedKey> IssueAsync(
        Guid tenantId, CreateKeyRequest request, GatewayDbContext db, TenantContext tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        tenant.Enter(tenantId);
        var (secret, prefix, hash) = ApiKeySecret.New();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            Name = request.Name!,
            Prefix = prefix,
            Hash = hash,
            Scopes = request.Scopes ?? [.. ApiKeyScopes.All],
            AllowedModels = request.AllowedModels ?? [],
            RequestsPerMinute = request.RequestsPerMinute,
            TokensPerMinute = request.TokensPerMinute,
            ExpiresAt = request.ExpiresAt,
            CreatedAt = now,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedKey(secret, KeySummary.From(key));
    }
}

public sealed record CreateKeyRequest(string? Name, string[]? Scopes, string[]? AllowedModels, int? RequestsPerMinute, int? TokensPerMinute, DateTimeOffset? ExpiresAt);

/// <summary>A key as listed: its prefix, never its secret or hash.</summary>
public sealed record KeySummary(
    Guid Id, string Name, string Prefix, string[] Scopes, string[] AllowedModels, int? RequestsPerMinute, int? TokensPerMinute,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt)
{
    public static KeySummary From(ApiKey key) => new(
        key.Id, key.Name, key.Prefix, key.Scopes, key.AllowedModels, key.RequestsPerMinute, key.TokensPerMinute, key.ExpiresAt, key.RevokedAt, key.CreatedAt);
}

/// <summary>The response to a new key: the secret, shown this once, and the key as it will be listed.</summary>
public sealed record CreatedKey(string Key, KeySummary Details);
