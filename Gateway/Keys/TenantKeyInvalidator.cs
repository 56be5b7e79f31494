using System.Linq.Expressions;
using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.EntityFrameworkCore;
using NATS.Client.Core;

namespace Gateway.Keys;

/// <summary>Makes every Gateway forget a revoked key or a changed tenant's keys: Redis here, memory everywhere over NATS.</summary>
public sealed class TenantKeyInvalidator(GatewayDbContext db, TenantKeyStore keys, INatsConnection nats, TimeProvider time)
{
    /// <summary>
    /// Revokes the keys <paramref name="which"/> selects among those row-level security shows (the caller has entered
    /// the tenant's context); every Gateway refuses them from the next request on. Returns how many matched.
    /// </summary>
    public async Task<int> RevokeAsync(Expression<Func<ApiKey, bool>> which, CancellationToken cancellationToken)
    {
        var revoked = await db.ApiKeys.Where(which).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        revoked.ForEach(key => key.RevokedAt ??= now);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var key in revoked)
        {
            await InvalidateKeyAsync(key, cancellationToken);
        }
        return revoked.Count;
    }

    private async Task InvalidateKeyAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var invalidation = new KeyInvalidation(key.Hash, null, key.Id);
        await keys.InvalidateAsync(invalidation, [key.Hash]);
        await KeyInvalidationListener.BroadcastAsync(nats, invalidation, cancellationToken);
    }

    /// <summary>The caller has entered the tenant's context, so row-level security shows its keys.</summary>
    public async Task InvalidateTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var hashes = await db.ApiKeys.AsNoTracking().Where(k => k.TenantId == tenantId).Select(k => k.Hash).ToListAsync(cancellationToken);
        var invalidation = new KeyInvalidation(null, tenantId);
        await keys.InvalidateAsync(invalidation, hashes);
        await KeyInvalidationListener.BroadcastAsync(nats, invalidation, cancellationToken);
    }
}
