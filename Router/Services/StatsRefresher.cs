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
