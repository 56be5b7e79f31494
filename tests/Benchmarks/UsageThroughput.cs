using System.Diagnostics;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Testing;

namespace Benchmarks;

/// <summary>
/// How fast the consumers of usage events keep up: synthetic events published straight to the USAGE stream while
/// each consumer's lag is sampled until it has drained them. The platform runs as the AppHost runs it.
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- usage-throughput [events, default 200000]</c>.
/// </summary>
public static class UsageThroughput
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);

    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        // Each consumer of usage events, and the service that runs it.
        (string Durable, string Service)[] consumers = [("analytics-usage", "analytics"), ("billing-usage", "billing")];
        string[] durables = [.. consumers.Select(c => c.Durable)];
        Console.WriteLine("Starting the platform (Production environment, throwaway data)…");
        await using var platform = await TestPlatform.StartAsync(new PlatformSettings { ServiceEnvironment = "Production" });
        await using var nats = new NatsConnection(Options(platform.GetConnectionString("nats")));
        var jetStream = new NatsJSContext(nats);

        // Warm-up: compiled code, pooled connections and PostgreSQL's caches, so the measure is of the steady state.
        await MeasureAsync(jetStream, durables, count / 10);
        var live = await MeasureAsync(jetStream, durables, count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Live, consumed while published ({count:N0} published in {live[0].Published.TotalSeconds:0.0} s = {count / live[0].Published.TotalSeconds:N0} events/s):"));
        live.ForEach(Console.WriteLine);

        // Each service stopped in turn while the events are published and the other consumer catches up: then its own
        // pace, alone, from its first ack to the last.
        Console.WriteLine($"Backlog of {count:N0}, drained from the consumer's start:");
        foreach (var (durable, service) in consumers)
        {
            await platform.StopResourceAsync(service);
            await SampleUntilDrainedAsync(jetStream, [.. durables.Where(d => d != durable)], count, SyntheticUsage.PublishAsync(jetStream, Events(count, seed: 2)), Stopwatch.StartNew());
            await platform.StartResourceAsync(service);
            foreach (var drain in await SampleUntilDrainedAsync(jetStream, [durable], count, Task.CompletedTask, Stopwatch.StartNew()))
            {
                Console.WriteLine(drain with { Elapsed = drain.Elapsed - drain.Started });
            }
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; the publisher, NATS, PostgreSQL and every service on it.");
    }

    /// <summary>
    /// Publishes <paramref name="count"/> synthetic usage events (100 tenants) as fast as JetStream acknowledges them
    /// and samples each durable consumer's lag (pending plus unacknowledged) every 250 ms until all have drained.
    /// </summary>
    public static async Task<List<Drain>> MeasureAsync(INatsJSContext jetStream, IReadOnlyList<string> durables, int count)
    {
        var events = Events(count, seed: count);
        var clock = Stopwatch.StartNew();
        var publishing = SyntheticUsage.PublishAsync(jetStream, events);
        return await SampleUntilDrainedAsync(jetStream, durables, count, publishing, clock);
    }

    private static async Task<List<Drain>> SampleUntilDrainedAsync(INatsJSContext jetStream, IReadOnlyList<string> durables, int count, Task publishing, Stopwatch clock)
    {
        var maxLag = durables.ToDictionary(d => d, _ => 0L);
        var started = new Dictionary<string, TimeSpan>();
        var drained = new Dictionary<string, TimeSpan>();
        var published = (TimeSpan?)null;
        var previous = TimeSpan.Zero;
        while (drained.Count < durables.Count)
        {
            await Task.Delay(SampleInterval);
            if (published is null && publishing.IsCompleted)
            {
                await publishing;
                published = clock.Elapsed;
            }
            foreach (var durable in durables.Where(d => !drained.ContainsKey(d)))
            {
                var info = (await jetStream.GetConsumerAsync(EventStreams.Usage.Name, durable)).Info;
                var lag = (long)info.NumPending + info.NumAckPending;
                maxLag[durable] = Math.Max(maxLag[durable], lag);
                if (lag < count)
                {
                    // A backlog still whole at the previous sample: consuming began since.
                    started.TryAdd(durable, previous);
                }
                if (published is not null && lag == 0)
                {
                    drained[durable] = clock.Elapsed;
                }
            }
            previous = clock.Elapsed;
        }
        return [.. durables.Select(d => new Drain(d, count, drained[d], started.GetValueOrDefault(d), published!.Value, maxLag[d]))];
    }

    // Ids in time order, as the Gateway makes them, so the ledger's index grows at its end as it does in production.
    private static List<(UsageIntegrationEvent, string)> Events(int count, int seed) =>
        [.. SyntheticUsage.Generate([.. Enumerable.Range(0, 100).Select(_ => Guid.NewGuid())], count, DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromMinutes(5), seed)
            .Select(e => e with { Id = Guid.CreateVersion7() })
            .Select(e => (e, e.Id.ToString()))];

    // As ServiceDefaults reads it: nats://user:password@host:port.
    private static NatsOpts Options(string connectionString)
    {
        var uri = new Uri(connectionString);
        var credentials = uri.UserInfo.Split(':', 2);
        return NatsOpts.Default with
        {
            Url = $"nats://{uri.Host}:{uri.Port}",
            AuthOpts = NatsAuthOpts.Default with { Username = Uri.UnescapeDataString(credentials[0]), Password = Uri.UnescapeDataString(credentials[1]) },
            Name = "usage-throughput",
        };
    }

    /// <summary>
    /// One consumer's drain: <see cref="Elapsed"/> from the first publish (or the start of sampling) until its lag was
    /// empty, <see cref="Started"/> when its lag first fell below the count, <see cref="Published"/> when the last
    /// publish was acknowledged.
    /// </summary>
    public sealed record Drain(string Durable, int Count, TimeSpan Elapsed, TimeSpan Started, TimeSpan Published, long MaxLag)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Durable}: {Count:N0} events in {Elapsed.TotalSeconds:0.0} s = {Count / Elapsed.TotalSeconds:N0} events/s; max lag {MaxLag:N0}");
    }
}
