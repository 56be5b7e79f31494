using Gateway.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NATS.Client.Core;

namespace Gateway.Services;

/// <summary>Makes every Gateway forget a revoked key or a changed tenant's keys: Redis here, memory everywhere over NATS.</summary>
public sealed class TenantKeyInvalidator(GatewayDbContext db, TenantKeyStore keys, INatsConnection nats)
{
    public async Task InvalidateKeyAsync(string hash, CancellationToken cancellationToken)
    {
        var invalidation = new KeyInvalidation(hash, null);
        await keys.InvalidateAsync(invalidation, [hash]);
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
