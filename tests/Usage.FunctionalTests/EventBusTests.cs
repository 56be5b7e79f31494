using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Platform.Contracts;
using Platform.Messaging;

namespace Usage.FunctionalTests;

public sealed class EventBusTests(PlatformFixture platform)
{
    [Fact]
    public async Task Ping_PublishedByGateway_IsConsumedByAnalytics_InTheSameTrace()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var admin = platform.CreateAdminClient();
        using var send = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/diagnostics/ping");
        send.Headers.Add("traceparent", $"00-{traceId}-{traceId[..16]}-01");

        var sent = await admin.SendAsync(send, TestContext.Current.CancellationToken);
        sent.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var ping = (await sent.Content.ReadFromJsonAsync<PingResponse>(TestContext.Current.CancellationToken))!;
        ping.TraceId.ShouldBe(traceId);

        var receipt = await Eventually.GetAsync(async () =>
        {
            var response = await admin.GetAsync($"/api/v1/admin/diagnostics/ping/{ping.Id}", TestContext.Current.CancellationToken);
            return response.StatusCode == HttpStatusCode.OK
                ? await response.Content.ReadFromJsonAsync<PingResponse>(TestContext.Current.CancellationToken)
                : null;
        });

        receipt.Id.ShouldBe(ping.Id);
        receipt.TraceId.ShouldBe(traceId);
    }

    [Fact]
    public async Task FailingMessage_ReachesDeadLetterSubject_AfterConfiguredAttempts_Intact()
    {
        var subject = $"control.test.{Guid.NewGuid():N}";
        using var host = StartConsumerHost(subject, maxAttempts: 3);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var probe = new ProbeIntegrationEvent { Payload = "keeps failing" };
        using var tracing = new ActivitySource("EventBusTests");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source == tracing,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        string traceId;
        using (var activity = tracing.StartActivity("publish probe")!)
        {
            traceId = activity.TraceId.ToHexString();
            await host.Services.GetRequiredService<EventPublisher>().PublishAsync(subject, probe, TestContext.Current.CancellationToken);
        }
        var deadLetter = await ReadDeadLetterAsync(subject);

        var attempts = host.Services.GetRequiredService<AttemptCounter>();
        attempts.Count.ShouldBe(3);
        deadLetter.Headers![DeadLetterHeaders.Deliveries].ToString().ShouldBe("3");
        deadLetter.Headers[DeadLetterHeaders.Subject].ToString().ShouldBe(subject);
        deadLetter.Headers[DeadLetterHeaders.Reason].ToString().ShouldContain("handler refused");
        Encoding.UTF8.GetString(deadLetter.Data!).ShouldContain("keeps failing");
        deadLetter.Headers["traceparent"].ToString().ShouldContain(traceId, Case.Sensitive, "the dead letter keeps its trace");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task UnreadableMessage_IsDeadLetteredAtOnce()
    {
        var subject = $"control.test.{Guid.NewGuid():N}";
        using var host = StartConsumerHost(subject, maxAttempts: 5);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var jetStream = host.Services.GetRequiredService<INatsJSContext>();
        await host.Services.GetRequiredService<JetStreamTopology>().EnsureAsync(TestContext.Current.CancellationToken);

        (await jetStream.PublishAsync(subject, "not json"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken)).EnsureSuccess();
        var deadLetter = await ReadDeadLetterAsync(subject);

        deadLetter.Headers![DeadLetterHeaders.Deliveries].ToString().ShouldBe("1");
        deadLetter.Headers[DeadLetterHeaders.Reason].ToString().ShouldContain("Unreadable");
        Encoding.UTF8.GetString(deadLetter.Data!).ShouldBe("not json");
        host.Services.GetRequiredService<AttemptCounter>().Count.ShouldBe(0);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task BatchConsumer_TakesWhatHasQueuedAtOnce_AndIsolatesAPoisonEvent()
    {
        var subject = $"control.test.{Guid.NewGuid():N}";
        using var host = StartBatchConsumerHost(subject);
        var jetStream = host.Services.GetRequiredService<INatsJSContext>();
        await host.Services.GetRequiredService<JetStreamTopology>().EnsureAsync(TestContext.Current.CancellationToken);
        // Queued before the consumer starts, so they arrive together.
        for (var i = 0; i < 200; i++)
        {
            var probe = new ProbeIntegrationEvent { Payload = i == 117 ? "poison" : $"good {i}" };
            (await jetStream.PublishAsync(subject, JsonSerializer.SerializeToUtf8Bytes(probe, JsonSerializerOptions.Web), cancellationToken: TestContext.Current.CancellationToken)).EnsureSuccess();
        }
        await host.StartAsync(TestContext.Current.CancellationToken);

        var deadLetter = await ReadDeadLetterAsync(subject);

        var batches = host.Services.GetRequiredService<BatchLog>();
        Encoding.UTF8.GetString(deadLetter.Data!).ShouldContain("poison");
        deadLetter.Headers![DeadLetterHeaders.Deliveries].ToString().ShouldBe("3");
        await Eventually.TrueAsync(() => Task.FromResult(batches.Handled.Count == 199), "every good event handled");
        batches.Handled.ContainsKey("poison").ShouldBeFalse();
        batches.Sizes.Max().ShouldBeGreaterThan(1);
        batches.Sizes.Max().ShouldBeLessThanOrEqualTo(50);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task LongJobs_RunSideBySide_AndAreNotDeliveredAgainWhileTheyRun()
    {
        var subject = $"control.test.{Guid.NewGuid():N}";
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:nats"] = platform.App.GetConnectionString("nats");
        builder.AddNatsClient("nats");
        builder.Services.AddSingleton<JobLog>();
        builder.AddEventConsumer<ProbeIntegrationEvent, SlowJobHandler>(consumer =>
        {
            consumer.Durable = $"test-{subject.Split('.')[^1]}";
            consumer.Stream = EventStreams.Control;
            consumer.FilterSubject = subject;
            // Each job runs more than twice its AckWait: only the in-progress acks keep it from being delivered again.
            consumer.AckWait = TimeSpan.FromSeconds(3);
            consumer.Concurrency = 2;
            consumer.Prefetch = 2;
        });
        using var host = builder.Build();
        var jetStream = host.Services.GetRequiredService<INatsJSContext>();
        await host.Services.GetRequiredService<JetStreamTopology>().EnsureAsync(TestContext.Current.CancellationToken);
        foreach (var job in new[] { "first", "second" })
        {
            var probe = new ProbeIntegrationEvent { Payload = job };
            (await jetStream.PublishAsync(subject, JsonSerializer.SerializeToUtf8Bytes(probe, JsonSerializerOptions.Web), cancellationToken: TestContext.Current.CancellationToken)).EnsureSuccess();
        }

        await host.StartAsync(TestContext.Current.CancellationToken);
        var jobs = host.Services.GetRequiredService<JobLog>();
        await Eventually.TrueAsync(() => Task.FromResult(jobs.Finished.Count == 2), "both jobs finished", TimeSpan.FromSeconds(60));
        // One more AckWait: a job the server had given up on would come back now.
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);

        jobs.Started.OrderBy(j => j).ShouldBe(["first", "second"]);
        jobs.MostAtOnce.ShouldBe(2);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private IHost StartBatchConsumerHost(string subject)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:nats"] = platform.App.GetConnectionString("nats");
        builder.AddNatsClient("nats");
        builder.Services.AddSingleton<BatchLog>();
        builder.AddBatchEventConsumer<ProbeIntegrationEvent, PoisonSensitiveBatchHandler>(consumer =>
        {
            consumer.Durable = $"test-{subject.Split('.')[^1]}";
            consumer.Stream = EventStreams.Control;
            consumer.FilterSubject = subject;
            consumer.MaxAttempts = 3;
            consumer.BatchSize = 50;
            consumer.RetryDelay = TimeSpan.FromMilliseconds(50);
        });
        return builder.Build();
    }

    private IHost StartConsumerHost(string subject, int maxAttempts)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:nats"] = platform.App.GetConnectionString("nats");
        builder.AddNatsClient("nats");
        builder.Services.AddSingleton<AttemptCounter>();
        builder.AddEventConsumer<ProbeIntegrationEvent, AlwaysFailingHandler>(consumer =>
        {
            consumer.Durable = $"test-{subject.Split('.')[^1]}";
            consumer.Stream = EventStreams.Control;
            consumer.FilterSubject = subject;
            consumer.MaxAttempts = maxAttempts;
            consumer.RetryDelay = TimeSpan.FromMilliseconds(50);
        });
        return builder.Build();
    }

    private async Task<INatsJSMsg<byte[]>> ReadDeadLetterAsync(string subject)
    {
        await using var nats = new NatsConnection(NatsClientExtensions.ToOptions(platform.App.GetConnectionString("nats"), "test"));
        var jetStream = new NatsJSContext(nats);
        var consumer = await jetStream.CreateOrUpdateConsumerAsync(EventStreams.DeadLetter.Name, new ConsumerConfig($"test-reader-{subject.Split('.')[^1]}")
        {
            FilterSubject = EventStreams.DeadLetterSubject(subject),
            AckPolicy = ConsumerConfigAckPolicy.None,
            InactiveThreshold = TimeSpan.FromMinutes(1),
        }, TestContext.Current.CancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await foreach (var message in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            return message;
        }
        throw new TimeoutException("Nothing reached the dead-letter subject.");
    }

    private sealed record PingResponse(Guid Id, string? TraceId);

    public sealed record ProbeIntegrationEvent : IntegrationEvent
    {
        public string Payload { get; init; } = "";
    }

    public sealed class AttemptCounter
    {
        private int _count;

        public int Count => _count;

        public void Add() => Interlocked.Increment(ref _count);
    }

    public sealed class JobLog
    {
        private int _running;

        public System.Collections.Concurrent.ConcurrentQueue<string> Started { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<string> Finished { get; } = new();

        public int MostAtOnce { get; private set; }

        public async Task RunAsync(string job, TimeSpan duration, CancellationToken cancellationToken)
        {
            Started.Enqueue(job);
            var running = Interlocked.Increment(ref _running);
            lock (Started)
            {
                MostAtOnce = Math.Max(MostAtOnce, running);
            }
            await Task.Delay(duration, cancellationToken);
            Interlocked.Decrement(ref _running);
            Finished.Enqueue(job);
        }
    }

    public sealed class SlowJobHandler(JobLog log) : IIntegrationEventHandler<ProbeIntegrationEvent>
    {
        public Task HandleAsync(ProbeIntegrationEvent @event, CancellationToken cancellationToken) =>
            log.RunAsync(@event.Payload, TimeSpan.FromSeconds(7), cancellationToken);
    }

    public sealed class BatchLog
    {
        public System.Collections.Concurrent.ConcurrentQueue<int> Sizes { get; } = new();

        public System.Collections.Concurrent.ConcurrentDictionary<string, byte> Handled { get; } = new();
    }

    /// <summary>Fails any batch holding the poison event, as a batch transaction would; idempotent per event.</summary>
    public sealed class PoisonSensitiveBatchHandler(BatchLog log) : IIntegrationEventBatchHandler<ProbeIntegrationEvent>
    {
        public Task HandleAsync(IReadOnlyList<ProbeIntegrationEvent> integrationEvents, CancellationToken cancellationToken)
        {
            log.Sizes.Enqueue(integrationEvents.Count);
            if (integrationEvents.Any(e => e.Payload == "poison"))
            {
                throw new InvalidOperationException("The batch holds a poison event.");
            }
            foreach (var integrationEvent in integrationEvents)
            {
                log.Handled.TryAdd(integrationEvent.Payload, 0);
            }
            return Task.CompletedTask;
        }
    }

    public sealed class AlwaysFailingHandler(AttemptCounter attempts) : IIntegrationEventHandler<ProbeIntegrationEvent>
    {
        public Task HandleAsync(ProbeIntegrationEvent integrationEvent, CancellationToken cancellationToken)
        {
            attempts.Add();
            throw new InvalidOperationException($"The handler refused {integrationEvent.Payload}.");
        }
    }
}
