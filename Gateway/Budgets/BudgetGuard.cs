using Gateway.Model;
using StackExchange.Redis;

namespace Gateway.Budgets;

/// <summary>
/// Authorise, then capture: before a provider is called, the request's estimated cost is reserved atomically
/// against every budget that applies (the tenant's and the key's, per day and month) in Redis; afterwards the
/// reservation is replaced by the true cost. Under any concurrency a budget is exceeded only by what admitted
/// requests cost beyond their reservations. Limits and the <c>blocked</c> flag come from Billing
/// (<see cref="BudgetState"/>); a tenant without limits pays one HMGET; a reservation a crashed Gateway never
/// captured stops counting after <see cref="ReservationWindowMinutes"/> minutes.
/// </summary>
public sealed partial class BudgetGuard(IConnectionMultiplexer redis, TimeProvider time, ILogger<BudgetGuard> logger)
{
    public const int ReservationWindowMinutes = 10;

    // KEYS: limits, spend of tenant/day, tenant/month, key/day, key/month. ARGV: estimate, minute, window,
    // day and month lifetimes (ms), then the limit field of each spend key. Reserves only where a limit is set (a
    // tenant without limits costs one HMGET) and returns {1, the indexes of the spend keys reserved against}, or
    // {0, status, limit, used, field} when a limit would be passed.
    private const string ReserveScript = """
        local state = redis.call('HMGET', KEYS[1], 'status', 'blocked', 'blocked_until', ARGV[6], ARGV[7], ARGV[8], ARGV[9])
        local status = tonumber(state[1]) or 429
        if state[2] then
          return {0, status, 0, 0, 'blocked', state[2], tonumber(state[3]) or 0}
        end
        local estimate = tonumber(ARGV[1])
        local minute = tonumber(ARGV[2])
        local fields = {'spent'}
        for m = minute - tonumber(ARGV[3]), minute do fields[#fields + 1] = 'r:' .. m end
        local limited = {1}
        for i = 2, 5 do
          local limit = tonumber(state[2 + i])
          if limit then
            local used = 0
            for _, value in ipairs(redis.call('HMGET', KEYS[i], unpack(fields))) do used = used + (tonumber(value) or 0) end
            if used + estimate > limit then return {0, status, limit, used, ARGV[4 + i]} end
            limited[#limited + 1] = i
          end
        end
        if estimate > 0 then
          for n = 2, #limited do
            local i = limited[n]
            redis.call('HINCRBY', KEYS[i], 'r:' .. minute, estimate)
            redis.call('PEXPIRE', KEYS[i], i % 2 == 0 and ARGV[4] or ARGV[5])
          end
        end
        return limited
        """;

    // KEYS: the spend keys reserved against. ARGV: minute, estimate, actual cost.
    private const string CaptureScript = """
        for i = 1, #KEYS do
          if tonumber(ARGV[2]) > 0 then
            local left = redis.call('HINCRBY', KEYS[i], 'r:' .. ARGV[1], -tonumber(ARGV[2]))
            if left <= 0 then redis.call('HDEL', KEYS[i], 'r:' .. ARGV[1]) end
          end
          if tonumber(ARGV[3]) > 0 then redis.call('HINCRBY', KEYS[i], 'spent', ARGV[3]) end
        end
        return 1
        """;

    public async Task<BudgetReservation> ReserveAsync(TenantKey key, decimal estimatedCost)
    {
        var now = time.GetUtcNow();
        var scope = key.KeyId.ToString();
        RedisKey[] keys =
        [
            BudgetState.LimitsKey(key.TenantId),
            BudgetState.SpendKey(key.TenantId, BudgetState.TenantScope, BudgetState.Day, now),
            BudgetState.SpendKey(key.TenantId, BudgetState.TenantScope, BudgetState.Month, now),
            BudgetState.SpendKey(key.TenantId, scope, BudgetState.Day, now),
            BudgetState.SpendKey(key.TenantId, scope, BudgetState.Month, now),
        ];
        var estimate = BudgetState.ToNanos(estimatedCost);
        var minute = now.ToUnixTimeSeconds() / 60;
        RedisValue[] arguments =
        [
            estimate, minute, ReservationWindowMinutes,
            (long)BudgetState.SpendLifetime(BudgetState.Day).TotalMilliseconds, (long)BudgetState.SpendLifetime(BudgetState.Month).TotalMilliseconds,
            BudgetState.LimitField(BudgetState.TenantScope, BudgetState.Day), BudgetState.LimitField(BudgetState.TenantScope, BudgetState.Month),
            BudgetState.LimitField(scope, BudgetState.Day), BudgetState.LimitField(scope, BudgetState.Month),
        ];
        try
        {
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ReserveScript, keys, arguments))!;
            if ((long)result[0] == 1)
            {
                // Only the budgets that have limits track spend here; Billing brings a new limit's spend up to what it metered.
                return new BudgetReservation(true, [.. result[1..].Select(index => keys[(int)index - 1])], minute, estimate);
            }
            return Refusal(key, result, now);
        }
        catch (RedisException ex)
        {
            // Like the rate limits: a Redis outage should not take the API down; Billing still meters every event.
            Log.RedisUnavailable(logger, ex);
            return BudgetReservation.Unchecked;
        }
    }

    /// <summary>Replaces the reservation by the true cost; sent without waiting, in order with later requests.</summary>
    public void Capture(BudgetReservation reservation, decimal cost)
    {
        if (!reservation.Admitted || reservation.SpendKeys.Length == 0)
        {
            return;
        }
        try
        {
            redis.GetDatabase().ScriptEvaluate(CaptureScript, reservation.SpendKeys,
                [reservation.Minute, reservation.Estimate, BudgetState.ToNanos(cost)], CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            // Billing raises the spend to what it metered, so a lost capture is corrected within seconds.
            Log.RedisUnavailable(logger, ex);
        }
    }

    private static BudgetReservation Refusal(TenantKey key, RedisResult[] result, DateTimeOffset now)
    {
        var status = (int)(long)result[1];
        var field = (string)result[4]!;
        if (field == BudgetState.BlockedField)
        {
            var until = (long)result[6];
            return BudgetReservation.Refused(status, $"You exceeded your current quota, please check your plan and billing details. {(string)result[5]!}",
                until > 0 ? DateTimeOffset.FromUnixTimeSeconds(until) - now : null);
        }
        var period = field.EndsWith(BudgetState.Day, StringComparison.Ordinal) ? BudgetState.Day : BudgetState.Month;
        var whose = field.StartsWith(BudgetState.TenantScope, StringComparison.Ordinal) ? $"tenant '{key.TenantName}'" : $"key {key.KeyId}";
        var limit = BudgetState.ToDollars((long)result[2]);
        var used = BudgetState.ToDollars((long)result[3]);
        return BudgetReservation.Refused(status,
            $"You exceeded your current quota, please check your plan and billing details. The {(period == BudgetState.Day ? "daily" : "monthly")} budget of the {whose} is ${limit:0.00####} and ${used:0.00####} of it is spent or reserved by requests in flight.",
            BudgetState.PeriodEnd(period, now) - now);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for budgets; admitting the request.")]
        public static partial void RedisUnavailable(ILogger logger, Exception exception);
    }
}

/// <summary>A budget decision: admitted with what it reserved where, or refused with the status the plan asks for.</summary>
public sealed record BudgetReservation(bool Admitted, RedisKey[] SpendKeys, long Minute, long Estimate)
{
    public static readonly BudgetReservation Unchecked = new(true, [], 0, 0);

    public int Status { get; private init; }

    public string? Message { get; private init; }

    public TimeSpan? RetryAfter { get; private init; }

    public static BudgetReservation Refused(int status, string message, TimeSpan? retryAfter) =>
        new(false, [], 0, 0) { Status = status, Message = message, RetryAfter = retryAfter };

    /// <summary>
    /// OpenAI's <c>insufficient_quota</c>, as 429 (or 402 where the plan says so), with the whole seconds until the
    /// budget's period ends.
    /// </summary>
    public ExecutionError ToError() => new(Status, Message!, "insufficient_quota", "insufficient_quota",
        RetryAfter is { } wait ? Math.Max(1, Math.Ceiling(wait.TotalSeconds)) : null);
}
