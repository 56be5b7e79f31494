using System.Globalization;
using StackExchange.Redis;

namespace Platform.Catalog;

/// <summary>
/// What provider accounts with a quota have used this period, in Redis: the Orchestrator counts each answer,
/// the Router reads the shares to steer away from a provider before its quota runs out.
/// </summary>
public sealed class ProviderQuotas(IConnectionMultiplexer redis, ModelCatalog catalog, TimeProvider time)
{
    /// <summary>
    /// Counts one answered request and its tokens against <paramref name="provider"/>'s quota, if it has one.
    /// Without waiting: an answer is never held up, nor failed, by the count.
    /// </summary>
    public void Record(string provider, long tokens)
    {
        if (catalog.Providers.GetValueOrDefault(provider)?.Quota is not { } quota)
        {
            return;
        }
        var (key, left) = Period(provider, quota);
        var database = redis.GetDatabase();
        database.HashIncrement(key, "requests", flags: CommandFlags.FireAndForget);
        database.HashIncrement(key, "tokens", tokens, CommandFlags.FireAndForget);
        database.KeyExpire(key, left + TimeSpan.FromDays(1), CommandFlags.FireAndForget);
    }

    /// <summary>Every provider with a quota: what it used this period, and the larger of its request and token shares.</summary>
    public async Task<Dictionary<string, QuotaUse>> UseAsync()
    {
        var database = redis.GetDatabase();
        var use = new Dictionary<string, QuotaUse>(StringComparer.Ordinal);
        foreach (var (provider, options) in catalog.Providers)
        {
            if (options.Quota is not { } quota)
            {
                continue;
            }
            var fields = await database.HashGetAsync(Period(provider, quota).Key, ["requests", "tokens"]);
            var requests = fields[0].IsNull ? 0 : (long)fields[0];
            var tokens = fields[1].IsNull ? 0 : (long)fields[1];
            var share = Math.Max(quota.Requests is > 0 and var r ? (double)requests / r : 0, quota.Tokens is > 0 and var t ? (double)tokens / t : 0);
            use[provider] = new QuotaUse(requests, quota.Requests, tokens, quota.Tokens, quota.Period, Math.Round(share, 4));
        }
        return use;
    }

    private (RedisKey Key, TimeSpan Left) Period(string provider, ProviderQuotaOptions quota)
    {
        var now = time.GetUtcNow();
        var (stamp, end) = quota.Period == QuotaPeriods.Month
            ? (now.ToString("yyyy-MM", CultureInfo.InvariantCulture), new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1))
            : (now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), new DateTimeOffset(now.Date, TimeSpan.Zero).AddDays(1));
        return ($"quota:{provider}:{stamp}", end - now);
    }
}
