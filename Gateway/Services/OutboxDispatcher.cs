using Gateway.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Services;

/// <summary>
/// Delivers what the outbox holds once NATS answers again, oldest first, in batches that several Gateway
/// instances share without overlap (row locks skipped, not waited on).
/// </summary>
public sealed partial class OutboxDispatcher(IServiceScopeFactory scopes, EventPublisher events, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await DeliverBatchAsync(stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // NATS or PostgreSQL still away: the messages wait for the next tick.
                Log.Waiting(logger, ex);
            }
        }
    }

    private async Task<int> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var batch = await db.UsageOutbox
            .FromSql($"SELECT * FROM usage_outbox ORDER BY created_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        foreach (var message in batch)
        {
            await events.PublishAsync(message.Subject, message.Id, System.Text.Encoding.UTF8.GetBytes(message.Payload), cancellationToken);
            db.UsageOutbox.Remove(message);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (batch.Count > 0)
        {
            Log.Delivered(logger, batch.Count);
        }
        return batch.Count;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Delivered {Count} events from the outbox.")]
        public static partial void Delivered(ILogger logger, int count);

        [LoggerMessage(2, LogLevel.Debug, "The outbox waits for NATS.")]
        public static partial void Waiting(ILogger logger, Exception exception);
    }
}
