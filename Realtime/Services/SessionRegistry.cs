using StackExchange.Redis;

namespace Realtime.Services;

/// <summary>
/// Live WebSocket sessions of every Realtime instance, in one Redis sorted set scored by expiry, so any instance
/// can count them and a crashed instance's sessions lapse on their own.
/// </summary>
public sealed class SessionRegistry(IConnectionMultiplexer redis, TimeProvider time)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly RedisKey Key = "realtime:sessions";

    public Task RenewAsync(string sessionId) =>
        redis.GetDatabase().SortedSetAddAsync(Key, sessionId, (time.GetUtcNow() + Lease).ToUnixTimeMilliseconds());

    public Task RemoveAsync(string sessionId) => redis.GetDatabase().SortedSetRemoveAsync(Key, sessionId);

    public async Task<long> CountActiveAsync()
    {
        var database = redis.GetDatabase();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await database.SortedSetRemoveRangeByScoreAsync(Key, double.NegativeInfinity, now);
        return await database.SortedSetLengthAsync(Key);
    }
}
