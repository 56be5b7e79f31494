using Gateway.Model;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Limits;

/// <summary>
/// Token buckets for requests and tokens per minute, per key and per tenant, checked all at once in one atomic
/// Redis script on Redis' own clock: every Gateway instance shares them, so together they admit the limit, not a
/// multiple of it. Tokens are reserved on an estimate and settled to the true count after the call.
/// </summary>
public sealed partial class RateLimiter(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, ILogger<RateLimiter> logger)
{
    // KEYS: the buckets. ARGV: per bucket its capacity, refill per millisecond and cost.
    // Admits only if every bucket has room; returns admitted, the wait in ms, then per bucket its level and ms until full.
    private const string AdmitScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local levels = {}
        local admitted = 1
        local wait = 0
        for i = 1, #KEYS do
          local capacity = tonumber(ARGV[i * 3 - 2])
          local rate = tonumber(ARGV[i * 3 - 1])
          local cost = tonumber(ARGV[i * 3])
          local state = redis.call('HMGET', KEYS[i], 'level', 'at')
          local level = tonumber(state[1]) or capacity
          local at = tonumber(state[2]) or now
          level = math.min(capacity, level + math.max(0, now - at) * rate)
          levels[i] = level
          if level < cost then
            admitted = 0
            wait = math.max(wait, (cost - level) / rate)
          end
        end
        local result = { admitted, math.ceil(wait) }
        for i = 1, #KEYS do
          local capacity = tonumber(ARGV[i * 3 - 2])
          local rate = tonumber(ARGV[i * 3 - 1])
          local level = levels[i]
          if admitted == 1 then level = level - tonumber(ARGV[i * 3]) end
          redis.call('HSET', KEYS[i], 'level', level, 'at', now)
          redis.call('PEXPIRE', KEYS[i], math.ceil(capacity / rate) + 60000)
          result[#result + 1] = math.floor(level)
          result[#result + 1] = math.ceil((capacity - level) / rate)
        end
        return result
        """;

    public async Task<RateLimitDecision> AdmitAsync(TenantKey key, long estimatedTokens)
    {
        var plan = options.Value.Plans.GetValueOrDefault(key.Plan) ?? options.Value.Plans["free"];
        var keyRequests = key.RequestsPerMinute ?? plan.RequestsPerMinute;
        var keyTokens = key.TokensPerMinute ?? plan.TokensPerMinute;
        RedisKey[] buckets = [$"ratelimit:key:{key.KeyId}:rpm", $"ratelimit:key:{key.KeyId}:tpm", $"ratelimit:tenant:{key.TenantId}:rpm", $"ratelimit:tenant:{key.TenantId}:tpm"];
        RedisValue[] arguments =
        [
            keyRequests, keyRequests / 60_000d, 1,
            keyTokens, keyTokens / 60_000d, estimatedTokens,
            plan.RequestsPerMinute, plan.RequestsPerMinute / 60_000d, 1,
            plan.TokensPerMinute, plan.TokensPerMinute / 60_000d, estimatedTokens,
        ];
        try
        {
            // SE.Redis sends the script once and EVALSHA afterwards.
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(AdmitScript, buckets, arguments))!;
            var values = Array.ConvertAll(result, r => (long)r);
            // The tighter of key and tenant is what the client sees.
            return new RateLimitDecision(
                Admitted: values[0] == 1,
                RetryAfter: TimeSpan.FromMilliseconds(values[1]),
                Requests: new(keyRequests, Math.Max(0, Math.Min(values[2], values[6])), TimeSpan.FromMilliseconds(Math.Max(values[3], values[7]))),
                Tokens: new(keyTokens, Math.Max(0, Math.Min(values[4], values[8])), TimeSpan.FromMilliseconds(Math.Max(values[5], values[9]))),
                TokenBuckets: [buckets[1], buckets[3]],
                ReservedTokens: values[0] == 1 ? estimatedTokens : 0);
        }
        catch (RedisException ex)
        {
            // Limits protect providers and budgets; a Redis outage should not take the API down with it.
            Log.RedisUnavailable(logger, ex);
            return RateLimitDecision.Unlimited;
        }
    }

    /// <summary>
    /// Replaces the reserved estimate by the true count: a refund when it was lower, a debit when higher. Sent without
    /// waiting for the reply, so settling costs the request no round trip; Redis applies it in order.
    /// </summary>
    public void Settle(RateLimitDecision decision, long actualTokens)
    {
        var difference = decision.ReservedTokens - actualTokens;
        if (difference == 0 || decision.TokenBuckets.Length == 0)
        {
            return;
        }
        try
        {
            var database = redis.GetDatabase();
            foreach (var bucket in decision.TokenBuckets)
            {
                database.HashIncrement(bucket, "level", (double)difference, CommandFlags.FireAndForget);
            }
        }
        catch (RedisException ex)
        {
            Log.RedisUnavailable(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for rate limits; admitting the request.")]
        public static partial void RedisUnavailable(ILogger logger, Exception exception);
    }
}

public sealed record RateLimitDecision(
    bool Admitted, TimeSpan RetryAfter, RateLimitState Requests, RateLimitState Tokens, RedisKey[] TokenBuckets, long ReservedTokens)
{
    public static readonly RateLimitDecision Unlimited = new(true, TimeSpan.Zero, RateLimitState.None, RateLimitState.None, [], 0);

    /// <summary>OpenAI's 429 for a client over its limits, with the whole seconds to wait.</summary>
    public ExecutionError ToError()
    {
        var seconds = Math.Max(1, Math.Ceiling(RetryAfter.TotalSeconds));
        return new ExecutionError(StatusCodes.Status429TooManyRequests,
            $"Rate limit reached for this key or tenant (requests or tokens per minute). Please try again in {seconds}s.",
            "requests", "rate_limit_exceeded", seconds);
    }

    /// <summary>OpenAI's <c>x-ratelimit-*</c> headers.</summary>
    public void WriteHeaders(IHeaderDictionary headers)
    {
        if (this == Unlimited)
        {
            return;
        }
        headers["x-ratelimit-limit-requests"] = Requests.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-requests"] = Requests.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-requests"] = Duration(Requests.Reset);
        headers["x-ratelimit-limit-tokens"] = Tokens.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-tokens"] = Tokens.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-tokens"] = Duration(Tokens.Reset);
    }

    // OpenAI's form: "20ms", "6s", "1m30s".
    private static string Duration(TimeSpan span) => span.TotalSeconds < 1
        ? $"{(int)span.TotalMilliseconds}ms"
        : span.TotalMinutes < 1 ? $"{(int)Math.Ceiling(span.TotalSeconds)}s" : $"{(int)span.TotalMinutes}m{span.Seconds}s";
}

public sealed record RateLimitState(long Limit, long Remaining, TimeSpan Reset)
{
    public static readonly RateLimitState None = new(0, 0, TimeSpan.Zero);
}
