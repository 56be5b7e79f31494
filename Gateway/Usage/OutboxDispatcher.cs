using Gateway.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Usage;

/// <summary>
/// Delivers what the outbox holds once NATS answers again, oldest first, in batches that several Gateway
/// instances share without overlap (row locks skipped, not waited on). It wakes when this instance stores an event
/// and then retries every second until the outbox is empty; otherwise it looks only every
/// <see cref="SweepInterval"/>, for what another instance or an earlier run left, so a Gateway at rest rests.
/// </summary>
public sealed partial class OutboxDispatcher(IServiceScopeFactory scopes, EventPublisher events, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _stored = new(0, 1);

    /// <summary>An event went to the outbox: deliver it as soon as NATS takes it.</summary>
    public void Stored()
    {
        try
        {
            _stored.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var waiting = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _stored.WaitAsync(waiting ? RetryInterval : SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                while (await DeliverBatchAsync(stoppingToken) == BatchSize)
                {
                }
                waiting = false;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // NATS or PostgreSQL still away: the messages wait for the next try.
                waiting = true;
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
