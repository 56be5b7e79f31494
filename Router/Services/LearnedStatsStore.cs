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
    // The stats hashes' names, so a refresh reads them directly rather than scanning a keyspace full of cached answers.
    private const string IndexKey = "router:stats-index";

    // KEYS[1]: the stats hash, KEYS[2]: the index of stats hashes. ARGV: outcome (0..1), latency in ms or '', alpha, the discount of the counts.
    // The first observation sets the averages. 'g' and 'b' are discounted counts of good and bad outcomes.
    private const string RecordScript = """
        local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
        local alpha = tonumber(ARGV[3])
        local discount = tonumber(ARGV[4])
        local outcome = tonumber(ARGV[1])
        local s = tonumber(redis.call('HGET', KEYS[1], 's') or ARGV[1])
        if n > 0 then s = s + alpha * (outcome - s) end
        local l = tonumber(redis.call('HGET', KEYS[1], 'l') or '0')
        if ARGV[2] ~= '' then
          local latency = tonumber(ARGV[2])
          if l == 0 then l = latency else l = l + alpha * (latency - l) end
        end
        local g = tonumber(redis.call('HGET', KEYS[1], 'g') or '0') * discount + outcome
        local b = tonumber(redis.call('HGET', KEYS[1], 'b') or '0') * discount + 1 - outcome
        redis.call('HSET', KEYS[1], 's', s, 'l', l, 'n', n + 1, 'g', g, 'b', b)
        redis.call('SADD', KEYS[2], KEYS[1])
        return { tostring(s), tostring(l), n + 1, tostring(g), tostring(b) }
        """;

    /// <summary>Folds one outcome (1 = good, 0 = failed or rejected, or a feedback score between) into the averages.</summary>
    public async Task RecordAsync(string model, string intent, double outcome, double? latencyMs)
    {
        var key = LearnedStats.KeyOf(model, intent);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(RecordScript, [KeyPrefix + key, IndexKey],
            [outcome.ToString(CultureInfo.InvariantCulture), latencyMs?.ToString(CultureInfo.InvariantCulture) ?? "", options.Value.EmaAlpha.ToString(CultureInfo.InvariantCulture),
                (1 - 1 / options.Value.QualityWindow).ToString(CultureInfo.InvariantCulture)]))!;
        stats.Set(key, Parse([(RedisValue)result[0], (RedisValue)result[1], (RedisValue)result[2], (RedisValue)result[3], (RedisValue)result[4]]));
    }

    /// <summary>Loads what every replica has learned: the indexed hashes, read in one pipelined round.</summary>
    public async Task RefreshAsync()
    {
        var database = redis.GetDatabase();
        var keys = await database.SetMembersAsync(IndexKey);
        var reads = keys.Select(key => database.HashGetAsync((string)key!, ["s", "l", "n", "g", "b"])).ToArray();
        var all = await Task.WhenAll(reads);
        for (var i = 0; i < keys.Length; i++)
        {
            if (!all[i][0].IsNull)
            {
                stats.Set(((string)keys[i]!)[KeyPrefix.Length..], Parse(all[i]));
            }
        }
    }

    // Fields s, l, n, g, b.
    private static ModelIntentStats Parse(RedisValue[] fields) => new(Number(fields[0]), Number(fields[1]), fields[2].IsNull ? 0 : (long)fields[2], Number(fields[3]), Number(fields[4]));

    private static double Number(RedisValue value) => value.IsNull ? 0 : double.Parse((string)value!, CultureInfo.InvariantCulture);
}
