namespace Router.Services;

/// <summary>Keeps this replica's copy of the learned figures current with what every replica learned.</summary>
public sealed partial class StatsRefresher(LearnedStatsStore stats, ILogger<StatsRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await stats.RefreshAsync();
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
