using Analytics.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Analytics.Services;

/// <summary>Forgets processed usage event ids once no redelivery can bring them back (see <see cref="AnalyticsOptions.LedgerRetention"/>).</summary>
public sealed partial class LedgerPruner(IServiceScopeFactory scopes, IOptions<AnalyticsOptions> options, TimeProvider time, ILogger<LedgerPruner> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
                var before = time.GetUtcNow() - options.Value.LedgerRetention;
                var pruned = await db.Database.ExecuteSqlAsync($"DELETE FROM usage_ledger WHERE processed_at < {before}", stoppingToken);
                Log.Pruned(logger, pruned);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.PruneFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Forgot {Count} processed usage event ids.")]
        public static partial void Pruned(ILogger logger, int count);

        [LoggerMessage(2, LogLevel.Warning, "The usage ledger was not pruned; trying again in an hour.")]
        public static partial void PruneFailed(ILogger logger, Exception exception);
    }
}
