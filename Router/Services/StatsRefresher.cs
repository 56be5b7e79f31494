using System.Globalization;
using StackExchange.Redis;

namespace Router.Services;

/// <summary>
/// Keeps this replica's copy of the learned figures, the providers' quota use and the Orchestrators' load current
/// with Redis while they are read (decisions, the providers' view): every second while they are, and before the
/// first read after a quiet spell, so a Router at rest reads nothing from Redis.
/// </summary>
public sealed partial class StatsRefresher(
    LearnedStatsStore stats, ProviderQuotas quotas, QuotaShares shares, OrchestratorLoad load, IConnectionMultiplexer redis, TimeProvider time,
    ILogger<StatsRefresher> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan QuietAfter = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private long _refreshedAt = long.MinValue;
    private long _readAt = long.MinValue;

    /// <summary>Before the figures are read: refreshed first when no refresh has run lately (after a quiet spell).</summary>
    public Task BeforeReadingAsync()
    {
        var now = time.GetTimestamp();
        Volatile.Write(ref _readAt, now);
        return Volatile.Read(ref _refreshedAt) < now - Ticks(Interval * 2) ? RefreshAsync() : Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (Volatile.Read(ref _readAt) >= time.GetTimestamp() - Ticks(QuietAfter))
            {
                await RefreshAsync();
            }
        }
    }

    private async Task RefreshAsync()
    {
        await _refreshing.WaitAsync();
        try
        {
            await stats.RefreshAsync();
            shares.Set(await quotas.UseAsync());
            load.Concurrency = await ReadLoadAsync();
            Volatile.Write(ref _refreshedAt, time.GetTimestamp());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.RefreshFailed(logger, ex);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    // Each Orchestrator's report counts while it is recent, so a stopped one stops counting (and its field is removed).
    private async Task<double> ReadLoadAsync()
    {
        var database = redis.GetDatabase();
        var oldest = DateTimeOffset.UtcNow - DegradationSignals.ExecutionLoadLifetime;
        var reports = new List<double>();
        foreach (var entry in await database.HashGetAllAsync(DegradationSignals.ExecutionLoadKey))
        {
            var parts = ((string)entry.Value!).Split('|');
            if (parts.Length == 2 && DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[1], CultureInfo.InvariantCulture)) >= oldest)
            {
                reports.Add(double.Parse(parts[0], CultureInfo.InvariantCulture));
            }
            else
            {
                await database.HashDeleteAsync(DegradationSignals.ExecutionLoadKey, entry.Name);
            }
        }
        return reports.Count == 0 ? 0 : reports.Average();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Learned figures not refreshed: Redis is away.")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
