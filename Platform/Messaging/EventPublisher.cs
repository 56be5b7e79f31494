using System.Diagnostics;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Platform.Contracts;

namespace Platform.Messaging;

/// <summary>Publishes integration events to JetStream and waits for the stream to store them.</summary>
public sealed class EventPublisher(INatsJSContext jetStream, JetStreamTopology topology)
{
    public async Task PublishAsync<TEvent>(string subject, TEvent @event, CancellationToken cancellationToken = default)
        where TEvent : IntegrationEvent
    {
        await topology.EnsureAsync(cancellationToken);

        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{subject} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "nats");
        activity?.SetTag("messaging.destination.name", subject);
        activity?.SetTag("messaging.message.id", @event.Id);

        var headers = new NatsHeaders();
        TraceContextHeaders.Inject(activity ?? Activity.Current, headers);
        await PublishAsync(subject, @event.Id, JsonSerializer.SerializeToUtf8Bytes(@event, JsonSerializerOptions.Web), headers, cancellationToken);
    }

    /// <summary>Publishes an event already serialized (from an outbox, say) under its id.</summary>
    public async Task PublishAsync(string subject, Guid eventId, byte[] payload, CancellationToken cancellationToken = default)
    {
        await topology.EnsureAsync(cancellationToken);
        await PublishAsync(subject, eventId, payload, [], cancellationToken);
    }

    private async Task PublishAsync(string subject, Guid eventId, byte[] payload, NatsHeaders headers, CancellationToken cancellationToken)
    {
        var ack = await jetStream.PublishAsync(subject, payload,
            opts: new NatsJSPubOpts { MsgId = eventId.ToString() },
            headers: headers,
            cancellationToken: cancellationToken);
        ack.EnsureSuccess();
    }
}
