using Platform.Contracts;

namespace Platform.Messaging;

/// <summary>
/// Handles a batch of events in one DI scope (one transaction, one round trip), for high-volume streams. It must be
/// idempotent per event: after a failure each event of the batch is retried on its own.
/// </summary>
public interface IIntegrationEventBatchHandler<in TEvent> where TEvent : IntegrationEvent
{
    Task HandleAsync(IReadOnlyList<TEvent> integrationEvents, CancellationToken cancellationToken);
}
