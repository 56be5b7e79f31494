using System.Text.Json;
using Gateway.Infrastructure;
using Gateway.Model;

namespace Gateway.Services;

/// <summary>
/// Publishes usage events to JetStream; when NATS cannot take one, it goes to the PostgreSQL outbox, from which
/// <see cref="UsageOutboxDispatcher"/> delivers it once NATS is back. The event id keeps delivery idempotent.
/// </summary>
public sealed partial class UsagePublisher(EventPublisher events, IServiceScopeFactory scopes, ILogger<UsagePublisher> logger)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);

    public async Task PublishAsync(UsageIntegrationEvent usage)
    {
        try
        {
            using var timeout = new CancellationTokenSource(PublishTimeout);
            await events.PublishAsync(UsageIntegrationEvent.Subject, usage, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Deferred(logger, ex, usage.Id);
            await StoreAsync(usage);
        }
    }

    private async Task StoreAsync(UsageIntegrationEvent usage)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            db.UsageOutbox.Add(new OutboxMessage
            {
                Id = usage.Id,
                Subject = UsageIntegrationEvent.Subject,
                Payload = JsonSerializer.Serialize(usage, JsonSerializerOptions.Web),
                CreatedAt = usage.OccurredAt,
            });
            await db.SaveChangesAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Neither NATS nor PostgreSQL: the one case where an event is lost, and it is said loudly.
            Log.Lost(logger, ex, usage.Id, JsonSerializer.Serialize(usage, JsonSerializerOptions.Web));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Usage event {EventId} could not be published now; keeping it in the outbox.")]
        public static partial void Deferred(ILogger logger, Exception exception, Guid eventId);

        [LoggerMessage(2, LogLevel.Critical, "Usage event {EventId} could not be published nor stored: {Event}")]
        public static partial void Lost(ILogger logger, Exception exception, Guid eventId, string @event);
    }
}
