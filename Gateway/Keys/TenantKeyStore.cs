using System.Collections.Concurrent;
using System.Text.Json;
using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using Npgsql;
using StackExchange.Redis;

namespace Gateway.Keys;

/// <summary>
/// Finds the tenant behind a key: process memory (seconds) → Redis (minutes) → PostgreSQL. Revocations and tenant
/// changes evict it everywhere: from Redis here, and from every Gateway's memory by a NATS broadcast.
/// </summary>
public sealed partial class TenantKeyStore(
    IMemoryCache memory,
    IConnectionMultiplexer redis,
    IServiceScopeFactory scopes,
    ILogger<TenantKeyStore> logger)
{
    private static readonly TimeSpan MemoryLifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnknownKeyLifetime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RedisLifetime = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _tenantTokens = new();

    public async ValueTask<TenantKey?> FindAsync(string hash, CancellationToken cancellationToken)
    {
        if (memory.TryGetValue(hash, out TenantKey? cached))
        {
            return cached;
        }

        var key = await FromRedisAsync(hash);
        if (key is null)
        {
            key = await FromDatabaseAsync(() => ReadKeyAsync(hash, cancellationToken));
            if (key is not null)
            {
                await ToRedisAsync(hash, key);
            }
        }
        Remember(hash, key);
        return key;
    }

    /// <summary>
    /// The key <paramref name="keyId"/> of <paramref name="tenantId"/>, as an agent run's token names it: process memory
    /// (seconds) → PostgreSQL, read as that tenant, so another tenant's key is never found.
    /// </summary>
    public async ValueTask<TenantKey?> FindByIdAsync(Guid tenantId, Guid keyId, CancellationToken cancellationToken)
    {
        if (memory.TryGetValue(ByIdEntry(keyId), out TenantKey? cached))
        {
            return cached?.TenantId == tenantId ? cached : null;
        }
        var key = await FromDatabaseAsync(() => ReadKeyByIdAsync(tenantId, keyId, cancellationToken));
        // Only found keys are remembered: an entry under a bare id must not answer for another tenant that names it.
        if (key is not null)
        {
            Remember(ByIdEntry(keyId), key);
        }
        return key;
    }

    /// <summary>Forgets keys here and in Redis, and tells every Gateway to forget them.</summary>
    public async Task InvalidateAsync(KeyInvalidation invalidation, IEnumerable<string> hashes)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync([.. hashes.Select(RedisKeyOf)]);
        }
        catch (RedisException ex)
        {
            // The memory eviction below still happens; Redis entries lapse with their TTL.
            Log.RedisUnavailable(logger, ex);
        }
        Evict(invalidation);
    }

    /// <summary>Drops what this process remembers; called for every broadcast invalidation.</summary>
    public void Evict(KeyInvalidation invalidation)
    {
        if (invalidation.Hash is { } hash)
        {
            memory.Remove(hash);
        }
        if (invalidation.KeyId is { } keyId)
        {
            memory.Remove(ByIdEntry(keyId));
        }
        if (invalidation.TenantId is { } tenantId && _tenantTokens.TryRemove(tenantId, out var tenantToken))
        {
            tenantToken.Cancel();
            tenantToken.Dispose();
        }
    }

    private void Remember(object entry, TenantKey? key)
    {
        var options = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = key is null ? UnknownKeyLifetime : MemoryLifetime };
        if (key is not null)
        {
            // One token per tenant: disabling a tenant evicts all its keys at once.
            var tenantToken = _tenantTokens.GetOrAdd(key.TenantId, _ => new CancellationTokenSource());
            options.ExpirationTokens.Add(new CancellationChangeToken(tenantToken.Token));
        }
        memory.Set(entry, key, options);
    }

    private async Task<TenantKey?> FromRedisAsync(string hash)
    {
        try
        {
            var stored = await redis.GetDatabase().StringGetAsync(RedisKeyOf(hash));
            return stored.HasValue ? JsonSerializer.Deserialize((byte[])stored!, GatewayJsonContext.Default.TenantKey) : null;
        }
        catch (RedisException ex)
        {
            Log.RedisUnavailable(logger, ex);
            return null;
        }
    }

    private async Task ToRedisAsync(string hash, TenantKey key)
    {
        try
        {
            await redis.GetDatabase().StringSetAsync(RedisKeyOf(hash), JsonSerializer.SerializeToUtf8Bytes(key, GatewayJsonContext.Default.TenantKey), RedisLifetime);
        }
        catch (RedisException ex)
        {
            Log.RedisUnavailable(logger, ex);
        }
    }

    private async Task<TenantKey?> FromDatabaseAsync(Func<Task<TenantKey?>> read)
    {
        try
        {
            return await read();
        }
        catch (NpgsqlException ex) when (ex.IsTransient || ex is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown })
        {
            // After a PostgreSQL restart the pool still holds connections that died with the server: drop them all
            // and try once more on a fresh one, rather than answering every client 503 once per dead connection.
            Log.StaleConnections(logger, ex);
            NpgsqlConnection.ClearAllPools();
            return await read();
        }
    }

    private async Task<TenantKey?> ReadKeyAsync(string hash, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Row-level security shows a key row to whoever names its hash, that is, whoever holds the key.
        await db.Database.ExecuteSqlAsync($"SELECT set_config('app.api_key_hash', {hash}, true)", cancellationToken);
        // One query, the same whether the key exists or not, so the warm-up compiles what every lookup runs.
        var found = await db.ApiKeys.AsNoTracking().Where(k => k.Hash == hash)
            .Join(db.Tenants.AsNoTracking(), k => k.TenantId, t => t.Id, (key, tenant) => new { key, tenant })
            .FirstOrDefaultAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return found is null ? null : TenantKey.From(found.key, found.tenant);
    }

    private async Task<TenantKey?> ReadKeyByIdAsync(Guid tenantId, Guid keyId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        // Row-level security shows the tenant its own keys only (tenant_isolation on api_keys).
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        var found = await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId && k.TenantId == tenantId)
            .Join(db.Tenants.AsNoTracking(), k => k.TenantId, t => t.Id, (key, tenant) => new { key, tenant })
            .FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : TenantKey.From(found.key, found.tenant);
    }

    // Beside the hashes in the same cache: a tuple never equals a hash string.
    private static (string, Guid) ByIdEntry(Guid keyId) => ("key-id", keyId);

    private static RedisKey RedisKeyOf(string hash) => $"gateway:key:{hash}";

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for API keys; using memory and PostgreSQL.")]
        public static partial void RedisUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "A pooled PostgreSQL connection had died (the server restarted?); pools cleared, key read again.")]
        public static partial void StaleConnections(ILogger logger, Exception exception);
    }
}

/// <summary>Broadcast when a key is revoked (its hash, and its id for lookups by id) or a tenant changes (its id).</summary>
public sealed record KeyInvalidation(string? Hash, Guid? TenantId, Guid? KeyId = null)
{
    public const string Subject = "gateway.keys.invalidate";
}
