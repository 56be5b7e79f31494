using System.Text.Json;
using Gateway.Infrastructure;
using Gateway.Model;

namespace Gateway.Usage;

/// <summary>
/// Publishes the events nothing may lose (usage, plan changes) to JetStream; when NATS cannot take one, it goes to
/// the PostgreSQL outbox, from which <see cref="OutboxDispatcher"/> delivers it once NATS is back. The event id
/// keeps delivery idempotent.
/// </summary>
public sealed partial class OutboxPublisher(EventPublisher events, IServiceScopeFactory scopes, OutboxDispatcher dispatcher, ILogger<OutboxPublisher> logger)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);

    public async Task PublishAsync<TEvent>(string subject, TEvent @event) where TEvent : IntegrationEvent
    {
        try
        {
            using var timeout = new CancellationTokenSource(PublishTimeout);
            await events.PublishAsync(subject, @event, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Deferred(logger, ex, @event.Id);
            await StoreAsync(subject, @event);
        }
    }

    private async Task StoreAsync<TEvent>(string subject, TEvent @event) where TEvent : IntegrationEvent
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
            db.UsageOutbox.Add(new OutboxMessage
            {
                Id = @event.Id,
                Subject = subject,
                Payload = JsonSerializer.Serialize(@event, JsonSerializerOptions.Web),
                CreatedAt = @event.OccurredAt,
            });
            await db.SaveChangesAsync();
            dispatcher.Stored();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Neither NATS nor PostgreSQL: the one case where an event is lost, and it is said loudly.
            Log.Lost(logger, ex, @event.Id, JsonSerializer.Serialize(@event, JsonSerializerOptions.Web));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Event {EventId} could not be published now; keeping it in the outbox.")]
        public static partial void Deferred(ILogger logger, Exception exception, Guid eventId);

        [LoggerMessage(2, LogLevel.Critical, "Event {EventId} could not be published nor stored: {Event}")]
        public static partial void Lost(ILogger logger, Exception exception, Guid eventId, string @event);
    }
}
