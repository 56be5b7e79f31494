using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Platform.Contracts;

namespace Platform.Messaging;

/// <summary>
/// A durable JetStream consumer with explicit acks: a message is acked after its handler succeeds, retried with
/// backoff when it throws, and moved to the dead-letter subject (stored there before it is acked here) after
/// <see cref="EventConsumerOptions.MaxAttempts"/> deliveries, or at once when it cannot be read at all. With a
/// <see cref="EventConsumerOptions.BatchSize"/> above one, whatever has arrived (up to that many, after the
/// <see cref="EventConsumerOptions.BatchLinger"/>) is handled at once and acked after the batch succeeds; a failed batch is retried event by event, so one poison event stays alone.
/// A handler still running at half its <see cref="EventConsumerOptions.AckWait"/> tells the server it is in progress,
/// so a long job is not delivered again while it runs; a job cut off by a crash comes back after one AckWait.
/// </summary>
internal sealed partial class EventConsumer<TEvent>(
    EventConsumerOptions options,
    Func<IServiceProvider, IReadOnlyList<TEvent>, CancellationToken, Task> handle,
    INatsConnection connection,
    INatsJSContext jetStream,
    JetStreamTopology topology,
    IServiceScopeFactory scopes,
    ILogger<EventConsumer<TEvent>> logger) : BackgroundService where TEvent : IntegrationEvent
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);
    private readonly NatsJSConsumeOpts _consumeOptions = new()
    {
        MaxMsgs = options.Prefetch ?? Math.Max(100, options.BatchSize * 2),
        Expires = TimeSpan.FromSeconds(10),
    };

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
            // The server's default (1,000 unacked) would cap a batch near half that while the next one is pulled.
            MaxAckPending = _consumeOptions.MaxMsgs!.Value,
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
        // The pull fills a buffer; each handler takes whatever is in it, so batches grow only when events queue up.
        var buffer = Channel.CreateBounded<INatsJSMsg<byte[]>>(new BoundedChannelOptions(_consumeOptions.MaxMsgs!.Value)
        {
            SingleReader = options.Concurrency == 1,
            SingleWriter = true,
        });
        var pulling = PullAsync(consumer, buffer.Writer, session.Token);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Concurrency)).Select(_ => HandleBufferedAsync(buffer.Reader, session.Token, stoppingToken)));
            await buffer.Reader.Completion;
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            Log.Resuming(logger, options.Durable);
        }
        finally
        {
            connection.ConnectionOpened -= reconnected;
            await session.CancelAsync();
            await pulling;
        }
    }

    private async Task HandleBufferedAsync(ChannelReader<INatsJSMsg<byte[]>> buffer, CancellationToken sessionToken, CancellationToken stoppingToken)
    {
        var batch = new List<INatsJSMsg<byte[]>>(options.BatchSize);
        while (await buffer.WaitToReadAsync(sessionToken))
        {
            if (options.BatchLinger > TimeSpan.Zero && buffer.Count < options.BatchSize)
            {
                await Task.Delay(options.BatchLinger, sessionToken);
            }
            while (batch.Count < options.BatchSize && buffer.TryRead(out var message))
            {
                batch.Add(message);
            }
            if (batch.Count > 0)
            {
                await ProcessAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
    }

    private async Task PullAsync(INatsJSConsumer consumer, ChannelWriter<INatsJSMsg<byte[]>> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in consumer.ConsumeAsync<byte[]>(opts: _consumeOptions, cancellationToken: cancellationToken))
            {
                await writer.WriteAsync(message, cancellationToken);
            }
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(ex);
        }
    }

    private async Task ProcessAsync(List<INatsJSMsg<byte[]>> batch, CancellationToken stoppingToken)
    {
        if (batch.Count == 1)
        {
            await ProcessAsync(batch[0], stoppingToken);
            return;
        }

        var readable = new List<(INatsJSMsg<byte[]> Message, TEvent Event)>(batch.Count);
        foreach (var message in batch)
        {
            if (await ReadAsync(message, stoppingToken) is { } @event)
            {
                readable.Add((message, @event));
            }
        }
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{options.FilterSubject} process batch", ActivityKind.Consumer, parentContext: default,
            links: readable.Take(128).Select(r => TraceContextHeaders.Extract(r.Message.Headers)).Where(c => c != default).Select(c => new ActivityLink(c)));
        activity?.SetTag("messaging.system", "nats");
        activity?.SetTag("messaging.consumer.group.name", options.Durable);
        activity?.SetTag("messaging.batch.message_count", readable.Count);
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                await handle(scope.ServiceProvider, readable.ConvertAll(r => r.Event), stoppingToken);
            }
            foreach (var (message, _) in readable)
            {
                await message.AckAsync(cancellationToken: stoppingToken);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Handlers are idempotent per event: each goes again alone, so a poison event fails by itself.
            Log.BatchFailed(logger, ex, options.Durable, readable.Count);
            foreach (var (message, _) in readable)
            {
                await ProcessAsync(message, stoppingToken);
            }
        }
    }

    /// <summary>The event in <paramref name="message"/>, or null when it is unreadable (then it is dead-lettered).</summary>
    private async Task<TEvent?> ReadAsync(INatsJSMsg<byte[]> message, CancellationToken stoppingToken)
    {
        try
        {
            return JsonSerializer.Deserialize<TEvent>(message.Data ?? [], JsonSerializerOptions.Web)
                ?? throw new JsonException("The message body is null.");
        }
        catch (JsonException ex)
        {
            await DeadLetterAsync(message, $"Unreadable as {typeof(TEvent).Name}: {ex.Message}", (int)(message.Metadata?.NumDelivered ?? 1), stoppingToken);
            return null;
        }
    }

    private async Task ProcessAsync(INatsJSMsg<byte[]> message, CancellationToken stoppingToken)
    {
        var parent = TraceContextHeaders.Extract(message.Headers);
        // Without a listener (no OpenTelemetry in this host) a plain Activity still carries the trace to logs and the dead letter.
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{message.Subject} process", ActivityKind.Consumer, parent)
            ?? (parent == default ? null : new Activity($"{message.Subject} process").SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags).Start());
        activity?.SetTag("messaging.system", "nats");
        activity?.SetTag("messaging.destination.name", message.Subject);
        activity?.SetTag("messaging.consumer.group.name", options.Durable);

        var deliveries = (int)(message.Metadata?.NumDelivered ?? 1);
        if (await ReadAsync(message, stoppingToken) is not { } @event)
        {
            return;
        }

        // Disposed once handled, the timer ends the progress loop without an exception (one per event otherwise).
        using var progressTimer = new PeriodicTimer(options.AckWait / 2);
        var progress = ReportProgressAsync(message, progressTimer, stoppingToken);
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                await handle(scope.ServiceProvider, [@event], stoppingToken);
            }
            progressTimer.Dispose();
            await progress;
            await message.AckAsync(cancellationToken: stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            progressTimer.Dispose();
            await progress;
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

    /// <summary>Tells the server the message is in progress at each tick of <paramref name="timer"/>, until it is disposed.</summary>
    private async Task ReportProgressAsync(INatsJSMsg<byte[]> message, PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await message.AckProgressAsync(cancellationToken: stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the message is redelivered to the next consumer.
        }
        catch (NatsException ex)
        {
            Log.ProgressNotSent(logger, ex, options.Durable);
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
}
