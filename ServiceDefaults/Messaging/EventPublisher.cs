using System.Diagnostics;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Microsoft.Extensions.Hosting;

/// <summary>Publishes integration events to JetStream and waits for the stream to store them.</summary>
public sealed class EventPublisher(INatsJSContext jetStream, JetStreamTopology topology)
{
    public async Task PublishAsync<TEvent>(string subject, TEvent @event, CancellationToken cancellationToken = default)
        where TEvent : IntegrationEvent
    {
        await topology.EnsureAsync(cancellationToken);

        using var activity = PlatformTelemetry.ActivitySource.StartActivity($"{subject} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "nats");
        activity?.SetTag("messaging.destination.name", subject);
        activity?.SetTag("messaging.message.id", @event.Id);

        var headers = new NatsHeaders();
        TraceContextHeaders.Inject(activity ?? Activity.Current, headers);
        var payload = JsonSerializer.SerializeToUtf8Bytes(@event, JsonSerializerOptions.Web);

        var ack = await jetStream.PublishAsync(subject, payload,
            opts: new NatsJSPubOpts { MsgId = @event.Id.ToString() },
            headers: headers,
            cancellationToken: cancellationToken);
        ack.EnsureSuccess();
    }
}
