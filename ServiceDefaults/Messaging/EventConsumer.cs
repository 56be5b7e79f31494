using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A durable JetStream consumer with explicit acks: a message is acked after its handler succeeds, retried with
/// backoff when it throws, and moved to the dead-letter subject (stored there before it is acked here) after
/// <see cref="EventConsumerOptions.MaxAttempts"/> deliveries, or at once when it cannot be read at all.
/// </summary>
internal sealed partial class EventConsumer<TEvent>(
    EventConsumerOptions options,
    INatsConnection connection,
    INatsJSContext jetStream,
    JetStreamTopology topology,
    IServiceScopeFactory scopes,
    ILogger<EventConsumer<TEvent>> logger) : BackgroundService where TEvent : IntegrationEvent
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);
    private static readonly NatsJSConsumeOpts ConsumeOptions = new() { MaxMsgs = 100, Expires = TimeSpan.FromSeconds(10) };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // NATS away or the consumer deleted: unacked messages stay in the stream, so just come back.
                Log.ConsumerInterrupted(logger, ex, options.Durable);
                await Task.Delay(ReconnectDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        await topology.EnsureAsync(stoppingToken);
        var consumer = await jetStream.CreateOrUpdateConsumerAsync(options.Stream.Name, new ConsumerConfig(options.Durable)
        {
            DurableName = options.Durable,
            FilterSubject = options.FilterSubject,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = options.AckWait,
            // Attempts are counted here, not by the server: a server limit would strand the last failure unacked.
            MaxDeliver = -1,
        }, stoppingToken);

        // After a reconnect (NATS restarted, say) the pull starts over at once rather than waiting out its heartbeat.
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        AsyncEventHandler<NatsEventArgs> reconnected = (_, _) =>
        {
            session.Cancel();
            return ValueTask.CompletedTask;
        };
        connection.ConnectionOpened += reconnected;
        try
        {
            await foreach (var message in consumer.ConsumeAsync<byte[]>(opts: ConsumeOptions, cancellationToken: session.Token))
            {
                await ProcessAsync(message, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            Log.Resuming(logger, options.Durable);
        }
        finally
        {
            connection.ConnectionOpened -= reconnected;
        }
    }

    private async Task ProcessAsync(INatsJSMsg<byte[]> message, CancellationToken stoppingToken)
    {
        var parent = TraceContextHeaders.Extract(message.Headers);
        // Without a listener (no OpenTelemetry in this host) a plain Activity still carries the trace to logs and the dead letter.
        using var activity = PlatformTelemetry.ActivitySource.StartActivity($"{message.Subject} process", ActivityKind.Consumer, parent)
            ?? (parent == default ? null : new Activity($"{message.Subject} process").SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags).Start());
        activity?.SetTag("messaging.system", "nats");
        activity?.SetTag("messaging.destination.name", message.Subject);
        activity?.SetTag("messaging.consumer.group.name", options.Durable);

        var deliveries = (int)(message.Metadata?.NumDelivered ?? 1);
        TEvent? @event;
        try
        {
            @event = JsonSerializer.Deserialize<TEvent>(message.Data ?? [], JsonSerializerOptions.Web)
                ?? throw new JsonException("The message body is null.");
        }
        catch (JsonException ex)
        {
            await DeadLetterAsync(message, $"Unreadable as {typeof(TEvent).Name}: {ex.Message}", deliveries, stoppingToken);
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IIntegrationEventHandler<TEvent>>().HandleAsync(@event, stoppingToken);
            await message.AckAsync(cancellationToken: stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            if (deliveries >= options.MaxAttempts)
            {
                Log.GivingUp(logger, ex, @event.Id, options.Durable, deliveries);
                await DeadLetterAsync(message, $"{ex.GetType().Name}: {ex.Message}", deliveries, stoppingToken);
            }
            else
            {
                Log.WillRetry(logger, ex, @event.Id, options.Durable, deliveries);
                await message.NakAsync(delay: RetryDelay(deliveries), cancellationToken: stoppingToken);
            }
        }
    }

    private async Task DeadLetterAsync(INatsJSMsg<byte[]> message, string reason, int deliveries, CancellationToken stoppingToken)
    {
        var headers = new NatsHeaders();
        if (message.Headers is not null)
        {
            foreach (var (name, value) in message.Headers)
            {
                headers[name] = value;
            }
        }
        var sequence = message.Metadata?.Sequence.Stream ?? 0;
        headers[DeadLetterHeaders.Reason] = reason;
        headers[DeadLetterHeaders.Subject] = message.Subject;
        headers[DeadLetterHeaders.Stream] = options.Stream.Name;
        headers[DeadLetterHeaders.Sequence] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers[DeadLetterHeaders.Consumer] = options.Durable;
        headers[DeadLetterHeaders.Deliveries] = deliveries.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Stored in the dead-letter stream first, acked here second: a crash in between redelivers, never loses.
        var ack = await jetStream.PublishAsync(EventStreams.DeadLetterSubject(message.Subject), message.Data ?? [],
            opts: new NatsJSPubOpts { MsgId = $"{options.Stream.Name}:{sequence}:{options.Durable}" },
            headers: headers,
            cancellationToken: stoppingToken);
        ack.EnsureSuccess();
        await message.AckTerminateAsync(cancellationToken: stoppingToken);
        Log.DeadLettered(logger, message.Subject, options.Durable, reason);
    }

    private TimeSpan RetryDelay(int deliveries)
    {
        var exponential = options.RetryDelay * Math.Pow(2, Math.Min(deliveries - 1, 16));
        var capped = exponential < options.MaxRetryDelay ? exponential : options.MaxRetryDelay;
        // Full jitter between half and all of the delay keeps retries of a burst apart.
        return capped * (0.5 + Random.Shared.NextDouble() / 2);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Consumer {Durable} interrupted; resuming.")]
        public static partial void ConsumerInterrupted(ILogger logger, Exception exception, string durable);

        [LoggerMessage(2, LogLevel.Warning, "Event {EventId} failed in {Durable} (delivery {Deliveries}); it will be retried.")]
        public static partial void WillRetry(ILogger logger, Exception exception, Guid eventId, string durable, int deliveries);

        [LoggerMessage(3, LogLevel.Error, "Event {EventId} failed in {Durable} on delivery {Deliveries}, the last attempt.")]
        public static partial void GivingUp(ILogger logger, Exception exception, Guid eventId, string durable, int deliveries);

        [LoggerMessage(5, LogLevel.Information, "Consumer {Durable} resumes after NATS reconnected.")]
        public static partial void Resuming(ILogger logger, string durable);

        [LoggerMessage(4, LogLevel.Error, "Message on {Subject} dead-lettered by {Durable}: {Reason}")]
        public static partial void DeadLettered(ILogger logger, string subject, string durable, string reason);
    }
}
