using System.Globalization;
using StackExchange.Redis;

namespace Router.Services;

/// <summary>Keeps this replica's copy of the learned figures, the providers' quota use and the Orchestrators' load current with Redis.</summary>
public sealed partial class StatsRefresher(
    LearnedStatsStore stats, ProviderQuotas quotas, QuotaShares shares, OrchestratorLoad load, IConnectionMultiplexer redis, ILogger<StatsRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await stats.RefreshAsync();
                shares.Set(await quotas.UseAsync());
                load.Concurrency = await ReadLoadAsync();
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                Log.RefreshFailed(logger, ex);
            }
        }
    }

    // Each Orchestrator's report expires unless renewed, so a stopped one stops counting.
    private async Task<double> ReadLoadAsync()
    {
        var reports = new List<double>();
        var database = redis.GetDatabase();
        foreach (var endpoint in redis.GetEndPoints())
        {
            await foreach (var key in redis.GetServer(endpoint).KeysAsync(pattern: DegradationSignals.ExecutionLoadPrefix + "*"))
            {
                if (await database.StringGetAsync(key) is { IsNull: false } value)
                {
                    reports.Add(double.Parse((string)value!, CultureInfo.InvariantCulture));
                }
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
