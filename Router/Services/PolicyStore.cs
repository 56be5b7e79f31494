using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Router.Infrastructure;
using Router.Model;
using StackExchange.Redis;

namespace Router.Services;

/// <summary>
/// A tenant's policy, its canary and its intent examples for decisions, kept in memory for a few seconds: a decision must not
/// wait for PostgreSQL. Changing them through this process forgets its copy at once; other replicas follow within the TTL.
/// </summary>
public sealed class PolicyStore(RouterDbContext db, TenantContext tenant, IMemoryCache memory, IntentClassifier classifier, IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PressureLifetime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ExampleLifetime = TimeSpan.FromMinutes(30);

    public async Task<RoutingPolicy> PolicyAsync(CancellationToken cancellationToken) =>
        (await memory.GetOrCreateAsync(("policy", tenant.RequiredTenantId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Lifetime;
            return await db.RoutingPolicies.AsNoTracking().FirstOrDefaultAsync(cancellationToken) ?? new RoutingPolicy { TenantId = tenant.RequiredTenantId };
        }))!;

    /// <summary>The tenant's running canary, if it has one.</summary>
    public async Task<PolicyCanary?> CanaryAsync(CancellationToken cancellationToken) =>
        await memory.GetOrCreateAsync(("canary", tenant.RequiredTenantId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Lifetime;
            var canary = await db.PolicyCanaries.AsNoTracking().FirstOrDefaultAsync(c => c.Status == CanaryStatuses.Running, cancellationToken);
            canary?.Policy.TenantId = canary.TenantId;
            return canary;
        });

    /// <summary>Whether Billing says the tenant is past a soft budget limit (read at most once a second).</summary>
    public async Task<bool> UnderBudgetPressureAsync() =>
        await memory.GetOrCreateAsync(("pressure", tenant.RequiredTenantId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = PressureLifetime;
            return await redis.GetDatabase().KeyExistsAsync(DegradationSignals.BudgetPressureKey(tenant.RequiredTenantId));
        });

    /// <summary>The intents the tenant's requests are classified among: the global ones with its own examples (null when it has none).</summary>
    public async Task<IReadOnlyDictionary<string, IntentVectors>?> IntentsAsync(CancellationToken cancellationToken) =>
        await memory.GetOrCreateAsync(("intents", tenant.RequiredTenantId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Lifetime;
            var examples = await db.IntentExamples.AsNoTracking().ToListAsync(cancellationToken);
            return examples.Count == 0 ? null : await classifier.WithTenantExamplesAsync(await VectorsAsync(examples, cancellationToken));
        });

    // An example never changes (it is only added or deleted), so each is embedded once, not every time the intents are re-read.
    private async Task<List<(string Intent, float[] Vector)>> VectorsAsync(List<IntentExample> examples, CancellationToken cancellationToken)
    {
        var known = new Dictionary<Guid, float[]>();
        foreach (var example in examples)
        {
            if (memory.TryGetValue(("intent-example", example.Id), out float[]? vector))
            {
                known[example.Id] = vector!;
            }
        }
        var missing = examples.Where(e => !known.ContainsKey(e.Id)).ToList();
        var embedded = await classifier.EmbedAsync([.. missing.Select(e => e.Text)], cancellationToken);
        foreach (var (example, vector) in missing.Zip(embedded))
        {
            known[example.Id] = memory.Set(("intent-example", example.Id), vector, new MemoryCacheEntryOptions { SlidingExpiration = ExampleLifetime });
        }
        return [.. examples.Select(e => (e.Intent, known[e.Id]))];
    }

    public void Forget()
    {
        memory.Remove(("policy", tenant.RequiredTenantId));
        memory.Remove(("intents", tenant.RequiredTenantId));
        memory.Remove(("canary", tenant.RequiredTenantId));
    }
}
