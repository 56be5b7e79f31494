using Platform.Contracts;

namespace Platform.Messaging;

/// <summary>Handles one event in its own DI scope. Throwing asks for a redelivery; the bus dead-letters after the last attempt.</summary>
public interface IIntegrationEventHandler<in TEvent> where TEvent : IntegrationEvent
{
    Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken);
}
