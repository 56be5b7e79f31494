using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Router.Services;

/// <summary>
/// The learned figures in Redis: each outcome (or feedback) moves the moving averages atomically there, so every
/// Router replica learns from every outcome; <see cref="RefreshAsync"/> brings what the others learned into this process.
/// </summary>
public sealed class LearnedStatsStore(IConnectionMultiplexer redis, LearnedStats stats, IOptions<RoutingOptions> options)
{
    private const string KeyPrefix = "router:stats:";

    // KEYS[1]: the stats hash. ARGV: outcome (0..1), latency in ms or '', alpha. The first observation sets the average.
    private const string RecordScript = """
        local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
        local alpha = tonumber(ARGV[3])
        local outcome = tonumber(ARGV[1])
        local s = tonumber(redis.call('HGET', KEYS[1], 's') or ARGV[1])
        if n > 0 then s = s + alpha * (outcome - s) end
        local l = tonumber(redis.call('HGET', KEYS[1], 'l') or '0')
        if ARGV[2] ~= '' then
          local latency = tonumber(ARGV[2])
          if l == 0 then l = latency else l = l + alpha * (latency - l) end
        end
        redis.call('HSET', KEYS[1], 's', s, 'l', l, 'n', n + 1)
        return { tostring(s), tostring(l), n + 1 }
        """;

    /// <summary>Folds one outcome (1 = good, 0 = failed or rejected, or a feedback score between) into the averages.</summary>
    public async Task RecordAsync(string model, string intent, double outcome, double? latencyMs)
    {
        var key = LearnedStats.KeyOf(model, intent);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(RecordScript, [KeyPrefix + key],
            [outcome.ToString(CultureInfo.InvariantCulture), latencyMs?.ToString(CultureInfo.InvariantCulture) ?? "", options.Value.EmaAlpha.ToString(CultureInfo.InvariantCulture)]))!;
        stats.Set(key, Parse((RedisValue)result[0], (RedisValue)result[1], (RedisValue)result[2]));
    }

    /// <summary>Loads what every replica has learned.</summary>
    public async Task RefreshAsync()
    {
        var database = redis.GetDatabase();
        foreach (var endpoint in redis.GetEndPoints())
        {
            await foreach (var key in redis.GetServer(endpoint).KeysAsync(pattern: KeyPrefix + "*", pageSize: 500))
            {
                var fields = await database.HashGetAsync(key, ["s", "l", "n"]);
                if (!fields[0].IsNull)
                {
                    stats.Set(key.ToString()[KeyPrefix.Length..], Parse(fields[0], fields[1], fields[2]));
                }
            }
        }
    }

    private static ModelIntentStats Parse(RedisValue success, RedisValue latency, RedisValue count) => new(
        double.Parse((string)success!, CultureInfo.InvariantCulture),
        latency.IsNull ? 0 : double.Parse((string)latency!, CultureInfo.InvariantCulture),
        count.IsNull ? 0 : (long)count);
}
