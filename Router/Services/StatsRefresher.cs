namespace Router.Services;

/// <summary>Keeps this replica's copy of the learned figures, and of the providers' quota use, current with Redis.</summary>
public sealed partial class StatsRefresher(LearnedStatsStore stats, ProviderQuotas quotas, QuotaShares shares, ILogger<StatsRefresher> logger) : BackgroundService
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
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                Log.RefreshFailed(logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Learned figures not refreshed: Redis is away.")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
