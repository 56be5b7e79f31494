using StackExchange.Redis;

namespace Realtime.Sessions;

/// <summary>
/// The open sockets of every replica: each replica's count in one Redis hash, its lease in a sorted set scored by
/// expiry, so any replica can add up the live ones and a crashed replica's count lapses with its lease.
/// </summary>
public sealed partial class ConnectionRegistry(IConnectionMultiplexer redis, SessionHub hub, TimeProvider time, ILogger<ConnectionRegistry> logger) : BackgroundService
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly RedisKey Counts = "realtime:connections";
    private static readonly RedisKey Leases = "realtime:replicas";

    public Task OpenedAsync() => CountAsync(+1);

    public Task ClosedAsync() => CountAsync(-1);

    public async Task<long> CountActiveAsync()
    {
        var database = redis.GetDatabase();
        var lapsed = await database.SortedSetRangeByScoreAsync(Leases, double.NegativeInfinity, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (lapsed.Length > 0)
        {
            await database.HashDeleteAsync(Counts, lapsed);
            await database.SortedSetRemoveAsync(Leases, lapsed);
        }
        return (await database.HashValuesAsync(Counts)).Sum(count => (long)count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var renewal = new PeriodicTimer(Lease / 3, time);
        do
        {
            try
            {
                await redis.GetDatabase().SortedSetAddAsync(Leases, hub.Replica, (time.GetUtcNow() + Lease).ToUnixTimeMilliseconds());
            }
            catch (RedisException ex)
            {
                LogRenewalFailed(logger, ex);
            }
        }
        while (await renewal.WaitForNextTickAsync(stoppingToken));
    }

    private async Task CountAsync(int change)
    {
        try
        {
            await redis.GetDatabase().HashIncrementAsync(Counts, hub.Replica, change);
        }
        catch (RedisException ex)
        {
            // A count, not a gate: the socket is served all the same.
            LogRenewalFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The count of this replica's sockets could not be written to Redis.")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception);
}
