using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Platform.Testing;

namespace Benchmarks;

/// <summary>
/// <c>/ws/chat</c> at scale, through the Gateway to Realtime. Opens <c>sessions</c> idle sockets (each has had its
/// <c>session</c> event) and prints what one costs the Realtime and Gateway processes: resident memory and GC heap,
/// after less before, per socket (goal ≤ 20 KB), as found and after a full garbage collection in each process. Then
/// <c>streaming</c> of them each stream an answer at once (the mock's 100 words, 20 ms apart, each word the moment the
/// mock wrote it) and it prints each word's delivery delay from the mock's write to the client (goal p99 ≤ 20 ms at
/// 1,000), Realtime's share of it (its <c>ws_delivery_delay_seconds</c> histogram, from a chunk reaching Realtime to its
/// socket write), what the clients saw and where the CPU went. Last, every socket is
/// pinged (goal: 10,000 sockets, no error). Usage: <c>dotnet run -c Release --project tests/Benchmarks -- realtime
/// [sessions, default 10000] [streaming, default 1000] [Realtime replicas, default 1]</c>.
/// </summary>
public static class RealtimeBenchmark
{
    private const string Model = "mock-ws";
    private const int Words = 100;
    // Sockets opened at a time: 10k in well under a minute, never near the listeners' accept queues.
    private const int OpenConcurrency = 32;
    // What a process holds besides these sockets: assemblies, its Redis, NATS and PostgreSQL connections, listeners.
    private const int SpareDescriptors = 1_000;
    private static readonly TimeSpan WordDelay = TimeSpan.FromMilliseconds(20);
    // Long enough for the opening's garbage to be collected and its pooled buffers returned.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);
    // As many words as the mock writes; it writes each as its timestamp.
    private static readonly string Answer = string.Join(' ', Enumerable.Range(1, Words).Select(i => $"w{i}"));

    public static async Task RunAsync(string[] args)
    {
        var sessions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var streaming = Math.Min(sessions, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000);
        var replicas = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        // A socket holds a descriptor here, one in Realtime and two in a Gateway (in, out); two more in DCP's proxy in
        // front of Realtime replicas. A stream adds one here (the mock's) and two in a Gateway (Realtime's call, the mock's).
        var limit = Machine.HardOpenFilesLimit();
        var gateways = (int)Math.Ceiling((2.0 * (sessions + streaming) + SpareDescriptors) / limit);
        if (sessions + streaming + SpareDescriptors > limit || (replicas > 1 && 2 * sessions + SpareDescriptors > limit))
        {
            Console.WriteLine($"The open-files limit ({limit}, `ulimit -Hn`) is too low for {sessions} sockets{(replicas > 1 ? $" with {replicas} Realtime replicas (DCP's proxy holds two per socket)" : "")}: " +
                "raise it (`ulimit -Hn 65536 && ulimit -n 65536`, which needs the right to raise the hard limit) or ask for fewer sessions.");
            return;
        }
        if (gateways > 1)
        {
            Console.WriteLine($"A Gateway holds two descriptors per socket, so {sessions} sockets would pass the open-files limit ({limit}) in one: {gateways} Gateway replicas " +
                "run, each socket opened at one of them directly (DCP's proxy in front of them would be one process holding two more per socket).");
        }

        await using var mocked = await MockedPlatform.StartAsync(settings =>
        {
            settings.Providers["mock"].Models.Add(new() { Id = Model });
            settings.WithReplicas("realtime", replicas).WithReplicas("gateway", gateways);
        });
        var (mock, platform) = (mocked.Mock, mocked.Platform);
        mock.WordDelays[Model] = WordDelay;
        mock.FixedAnswers[Model] = Answer;
        mock.StampedWords[Model] = true;
        var key = await platform.GetParameterValueAsync("demo-key");
        IReadOnlyList<Uri> edges = gateways > 1 ? platform.GetReplicaEndpoints("gateway") : [platform.GetEndpoint("gateway")];
        var services = platform.Resources.OfType<ProjectResource>().ToDictionary(service => service.Name, service => platform.GetReplicaEndpoints(service.Name));
        var realtimes = platform.GetReplicaEndpoints("realtime");
        using var http = new HttpClient();
        var errors = new ConcurrentDictionary<string, int>();

        // First use (JIT and tier-up on every hop, pools, the first Redis and NATS calls) is no socket's cost: rounds of
        // streams first, until a round has the services compile under a thousand methods (their own background work
        // keeps compiling a few hundred a round). Each round on new sockets: a start right after a done may still find
        // the last answer's lock.
        for (var round = 1; round <= 10; round++)
        {
            var compiled = (await ScrapeEachAsync(http, services)).Values.Sum(service => service.Sum("dotnet_jit_compiled_methods_total"));
            var warm = await OpenAsync(edges, key, 100, errors);
            await Task.WhenAll(warm.Select(client => StreamAsync(client, errors)));
            warm.ForEach(client => client.Dispose());
            // Tier-up waits for 100 ms without new code, then compiles in the background.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var newly = (await ScrapeEachAsync(http, services)).Values.Sum(service => service.Sum("dotnet_jit_compiled_methods_total")) - compiled;
            Console.WriteLine($"Warm-up round {round}: the services compiled {newly:0} methods.");
            if (newly < 1_000)
            {
                break;
            }
        }
        await Machine.QuietAsync();

        var before = await FootprintsAsync(platform, http);
        Console.WriteLine($"Opening {sessions} sockets, {OpenConcurrency} at a time…");
        var clock = Stopwatch.StartNew();
        var clients = await OpenAsync(edges, key, sessions, errors);
        var openSeconds = clock.Elapsed.TotalSeconds;
        var settling = Machine.Ticks();
        await Task.Delay(Settle);
        var idleCores = Machine.BusyCores(settling, Machine.Ticks());
        var after = await FootprintsAsync(platform, http);
        var perSocket = after.ToDictionary(f => f.Key, f => (
            AsFound: f.Value.AsFound.Less(before[f.Key].AsFound).Per(Math.Max(1, clients.Count)),
            Collected: f.Value.Collected.Less(before[f.Key].Collected).Per(Math.Max(1, clients.Count))));
        if (clients.Count < 5_000)
        {
            Console.WriteLine("Few sockets: the services' GC may not have run since they opened, and pools are amortised over few; trust the memory figures from 5,000 on.");
        }

        Console.WriteLine($"{streaming} of them stream an answer at once ({Words} words, {WordDelay.TotalMilliseconds:0} ms apart)…");
        var processes = Rest.Processes(platform, projectsOnly: false).Concat(Machine.DcpProcesses()).Append((Name: "load generator and mock", Pid: Environment.ProcessId)).ToList();
        var cpuBefore = processes.Select(p => Rest.CpuTicks(p.Pid)).ToArray();
        var machineBefore = Machine.Ticks();
        var (realtimeBefore, servicesBefore) = (await PrometheusText.ScrapeAsync(http, realtimes), await ScrapeEachAsync(http, services));
        using var streamingDone = new CancellationTokenSource();
        var peak = WatchPeakAsync(http, realtimes, "ws_generations", streamingDone.Token);
        clock.Restart();
        var streams = await Task.WhenAll(clients.Take(streaming).Select(client => StreamAsync(client, errors)));
        var streamSeconds = clock.Elapsed.TotalSeconds;
        var machineBusy = Machine.BusyCores(machineBefore, Machine.Ticks());
        var cpu = processes.Select((p, i) => (p.Name, Cores: Rest.Seconds(Rest.CpuTicks(p.Pid) - cpuBefore[i]) / streamSeconds))
            .GroupBy(p => p.Name).Select(g => (Name: g.Key, Cores: g.Sum(p => p.Cores))).Where(p => p.Cores >= 0.01).OrderByDescending(p => p.Cores).ToList();
        await streamingDone.CancelAsync();
        var peakGenerations = await peak;
        // The exporter answers from a cache for 300 ms: a later scrape sees every event sent.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var (realtimeAfter, servicesAfter) = (await PrometheusText.ScrapeAsync(http, realtimes), await ScrapeEachAsync(http, services));
        var delay = PrometheusText.Between(realtimeBefore, realtimeAfter, "ws_delivery_delay_seconds");
        double Grew(PrometheusText first, PrometheusText last, string name, string? label = null) => last.Sum(name, label) - first.Sum(name, label);

        Console.WriteLine("Pinging every socket…");
        var alive = await PingAllAsync(clients, errors);
        clients.ForEach(client => client.Dispose());

        var firstDelta = streams.Where(s => s.FirstDeltaMs is not null).Select(s => s.FirstDeltaMs!.Value).Order().ToArray();
        var whole = streams.Where(s => s.Complete).Select(s => s.TotalMs).Order().ToArray();
        var wordDelays = streams.SelectMany(s => s.WordDelaysMs).Order().ToArray();
        Console.WriteLine();
        Row("sockets opened", $"{clients.Count} of {sessions} in {openSeconds:0} s ({clients.Count / openSeconds:0}/s)", "10,000", clients.Count >= 10_000);
        Row("sockets answering a ping at the end", $"{alive} of {clients.Count}", "all", alive == sessions);
        Row("errors (opening, streaming, pinging)", $"{errors.Values.Sum()}", "0", errors.IsEmpty);
        // Judged after a full collection: what the sockets hold, not the garbage opening them left behind.
        foreach (var (service, (asFound, collected)) in perSocket.OrderByDescending(p => p.Key, StringComparer.Ordinal))
        {
            var (goal, judged) = service == "realtime" ? ("≤ 20 KB", true) : ("", false);
            Row($"idle socket, {service}: resident", $"{collected.Resident / 1024:0.0} KB after a full GC ({asFound.Resident / 1024:0.0} KB as found)", goal, judged ? collected.Resident <= 20 * 1024 : null);
            Row($"idle socket, {service}: GC heap", $"{collected.GcHeap / 1024:0.0} KB live after a full GC ({asFound.GcHeap / 1024:0.0} KB as found)", goal, judged ? collected.GcHeap <= 20 * 1024 : null);
            Row($"idle socket, {service}: descriptors", $"{collected.Descriptors:0.00}");
        }
        Row("CPU with the sockets idle (cores)", $"{idleCores:0.00} of {Environment.ProcessorCount}, the whole machine");
        Row($"streams (of {streaming}) complete, every word once, in order", $"{streams.Count(s => s.Complete)} in {streamSeconds:0.0} s", $"{streaming}", streams.All(s => s.Complete));
        Row("delivery delay p50 / p99, mock → client", $"{Percentile(wordDelays, 0.50):0.0} / {Percentile(wordDelays, 0.99):0.0} ms over {wordDelays.Length} words",
            "p99 ≤ 20 ms", Percentile(wordDelays, 0.99) <= 20);
        Row("  of which in Realtime p50 / p99", $"{delay.Quantile(0.50) * 1000:0.0} / {delay.Quantile(0.99) * 1000:0.0} ms over {delay.Count:0} events, mean {delay.Sum / Math.Max(1, delay.Count) * 1000:0.0} ms");
        Row("start → first delta p50 / p99 (client)", $"{Percentile(firstDelta, 0.50):0} / {Percentile(firstDelta, 0.99):0} ms");
        Row("start → done p50 / p99 (client)", $"{Percentile(whole, 0.50):0} / {Percentile(whole, 0.99):0} ms (the words alone: {(Words - 1) * WordDelay.TotalMilliseconds:0} ms)");
        Row("deltas received (joined ones)", $"{streams.Sum(s => s.Deltas)} ({streams.Sum(s => s.Joined)}) for {streaming * Words} words");
        Row("backpressure: joined / closed (1013)", $"{Grew(realtimeBefore, realtimeAfter, "ws_backpressure_total", "action=\"coalesced\"")} / {Grew(realtimeBefore, realtimeAfter, "ws_backpressure_total", "action=\"closed\"")}");
        Row("generations at once, peak", $"{peakGenerations:0}");
        Row("CPU while streaming (cores)", $"machine {machineBusy:0.00} of {Environment.ProcessorCount}: " + string.Join(", ", cpu.Select(p => $"{p.Name} {p.Cores:0.00}")));
        // Time in the JIT and in GC pauses is wall time (a compilation waiting for a core counts), not CPU.
        Row("JIT / GC pauses while streaming (s)", string.Join(", ", servicesAfter
            .Select(s => (Name: s.Key, Jit: Grew(servicesBefore[s.Key], s.Value, "dotnet_jit_compilation_time_seconds_total"), Gc: Grew(servicesBefore[s.Key], s.Value, "dotnet_gc_pause_time_seconds_total")))
            .Where(s => s.Jit + s.Gc >= 0.01).OrderByDescending(s => s.Jit + s.Gc).Select(s => $"{s.Name} {s.Jit:0.00} / {s.Gc:0.00}")));
        foreach (var (error, count) in errors.OrderByDescending(e => e.Value).Take(10))
        {
            Console.WriteLine($"  error ×{count}: {error}");
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; clients, mock, every service, Redis, NATS and PostgreSQL all on it; {gateways} Gateway(s), {replicas} Realtime(s).");
        Figures.WriteRun("realtime",
        [
            new("realtime: sockets open at once", clients.Count, "sockets", Context: true),
            new("realtime: errors", errors.Values.Sum(), "errors"),
            new("realtime: idle socket, Realtime resident memory", perSocket["realtime"].Collected.Resident / 1024, "KB"),
            new("realtime: idle socket, Realtime GC heap", perSocket["realtime"].Collected.GcHeap / 1024, "KB"),
            new("realtime: idle socket, Realtime resident memory as found", perSocket["realtime"].AsFound.Resident / 1024, "KB", Context: true),
            new("realtime: idle socket, Realtime GC heap as found", perSocket["realtime"].AsFound.GcHeap / 1024, "KB", Context: true),
            new("realtime: idle socket, Gateway resident memory", perSocket["gateway"].Collected.Resident / 1024, "KB"),
            new("realtime: idle socket, Gateway GC heap", perSocket["gateway"].Collected.GcHeap / 1024, "KB"),
            new($"realtime: {streaming} streams, delivery delay p50", Percentile(wordDelays, 0.50), "ms"),
            new($"realtime: {streaming} streams, delivery delay p99", Percentile(wordDelays, 0.99), "ms"),
            new($"realtime: {streaming} streams, delivery delay in Realtime p50", delay.Quantile(0.50) * 1000, "ms", Context: true),
            new($"realtime: {streaming} streams, delivery delay in Realtime p99", delay.Quantile(0.99) * 1000, "ms", Context: true),
            new($"realtime: {streaming} streams, first delta p50", Percentile(firstDelta, 0.50), "ms"),
            new($"realtime: {streaming} streams, first delta p99", Percentile(firstDelta, 0.99), "ms"),
        ]);
    }

    /// <summary>Opens sockets spread over the Gateways, each once it has its <c>session</c> event; those that failed are counted, not returned.</summary>
    private static async Task<List<RealtimeClient>> OpenAsync(IReadOnlyList<Uri> edges, string key, int count, ConcurrentDictionary<string, int> errors)
    {
        var clients = new RealtimeClient?[count];
        var opened = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = OpenConcurrency }, async (i, _) =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            RealtimeClient? client = null;
            try
            {
                client = await RealtimeClient.ConnectAsync(edges[i % edges.Count], key, timeout.Token);
                var session = await client.ReceiveAsync(timeout.Token);
                if (session?.GetProperty("type").GetString() != "session")
                {
                    Count(errors, $"open: {session?.GetRawText() ?? client.ToString()}");
                    client.Dispose();
                    return;
                }
                clients[i] = client;
                if (Interlocked.Increment(ref opened) % 1000 == 0)
                {
                    Console.WriteLine($"  {opened} open");
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Count(errors, $"open: {ex.GetType().Name}: {ex.Message}");
                client?.Dispose();
            }
        });
        return [.. clients.OfType<RealtimeClient>()];
    }

    /// <summary>
    /// One answer on one socket: when its first delta came, how long each word took from the mock's write to here (its
    /// words are their write's timestamps), and whether every word came, once and in order, before its done.
    /// </summary>
    private static async Task<Streamed> StreamAsync(RealtimeClient client, ConcurrentDictionary<string, int> errors)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var started = Stopwatch.GetTimestamp();
        double? firstDelta = null;
        var (deltas, joined, words, last) = (0, 0, new List<double>(Words), 0L);
        try
        {
            await client.SendAsync(new { type = "start", request_id = "r1", model = $"mock/{Model}", messages = new[] { new { role = "user", content = "Stream me an answer." } }, cache = "no-store" }, timeout.Token);
            while (await client.ReceiveAsync(timeout.Token) is { } @event)
            {
                switch (@event.GetProperty("type").GetString())
                {
                    case "delta":
                        var received = Stopwatch.GetTimestamp();
                        firstDelta ??= Stopwatch.GetElapsedTime(started, received).TotalMilliseconds;
                        deltas++;
                        joined += @event.TryGetProperty("first_seq", out _) ? 1 : 0;
                        foreach (var word in @event.GetProperty("text").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        {
                            var written = long.Parse(word, CultureInfo.InvariantCulture);
                            if (written <= last)
                            {
                                Count(errors, "stream: a word out of order or twice");
                            }
                            last = written;
                            words.Add(Stopwatch.GetElapsedTime(written, received).TotalMilliseconds);
                        }
                        break;
                    case "done" when words.Count == Words:
                        return new Streamed(firstDelta, Stopwatch.GetElapsedTime(started).TotalMilliseconds, deltas, joined, words, Complete: true);
                    case "done":
                        Count(errors, $"stream: done after {words.Count} of {Words} words");
                        return new Streamed(firstDelta, 0, deltas, joined, words, Complete: false);
                    case "error":
                        Count(errors, $"stream: error event {@event.GetProperty("error").GetProperty("code")}: {@event.GetProperty("error").GetProperty("message")}");
                        return new Streamed(firstDelta, 0, deltas, joined, words, Complete: false);
                }
            }
            Count(errors, $"stream: closed ({client.Socket.CloseStatus} {client.Socket.CloseStatusDescription})");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Count(errors, $"stream: {ex.GetType().Name}: {ex.Message}");
        }
        return new Streamed(firstDelta, 0, deltas, joined, words, Complete: false);
    }

    /// <summary>How many sockets answer a ping with a pong.</summary>
    private static async Task<int> PingAllAsync(List<RealtimeClient> clients, ConcurrentDictionary<string, int> errors)
    {
        var alive = 0;
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 256 }, async (client, _) =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await client.SendAsync(new { type = "ping" }, timeout.Token);
                var pong = await client.ReceiveAsync(timeout.Token);
                if (pong?.GetProperty("type").GetString() == "pong")
                {
                    Interlocked.Increment(ref alive);
                    return;
                }
                Count(errors, $"ping: {pong?.GetRawText() ?? client.ToString()}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Count(errors, $"ping: {ex.GetType().Name}: {ex.Message}");
            }
        });
        return alive;
    }

    /// <summary>The highest sum over the replicas of a gauge, read twice a second until cancelled.</summary>
    private static async Task<double> WatchPeakAsync(HttpClient http, IReadOnlyList<Uri> replicas, string gauge, CancellationToken cancellationToken)
    {
        var peak = 0.0;
        while (!cancellationToken.IsCancellationRequested)
        {
            peak = Math.Max(peak, (await PrometheusText.ScrapeAsync(http, replicas)).Sum(gauge));
            await Task.Delay(500, CancellationToken.None);
        }
        return peak;
    }

    /// <summary>
    /// The Realtime and the Gateway processes (every replica of each): resident memory, GC heap and descriptors as
    /// found, then again after each has had a full garbage collection (the GC heap then is the bytes that survived it,
    /// and <see cref="Settle"/> passes for the process to give back what it freed).
    /// </summary>
    private static async Task<Dictionary<string, (Footprint AsFound, Footprint Collected)>> FootprintsAsync(TestPlatform platform, HttpClient http)
    {
        var footprints = new Dictionary<string, (Footprint, Footprint)>();
        var pids = new[] { "realtime", "gateway" }.ToDictionary(service => service, service => Rest.Processes(platform, projectsOnly: true).Where(p => p.Name == service).Select(p => p.Pid).ToList());
        var asFound = new Dictionary<string, Footprint>();
        var heaps = new Dictionary<string, double>();
        foreach (var (service, ids) in pids)
        {
            var metrics = await PrometheusText.ScrapeAsync(http, platform.GetReplicaEndpoints(service));
            asFound[service] = new Footprint(ids.Sum(Machine.ResidentBytes), metrics.Sum("dotnet_gc_last_collection_heap_size_bytes"), ids.Sum(Machine.Descriptors));
            heaps[service] = 0;
            foreach (var pid in ids)
            {
                heaps[service] += await Machine.CollectGarbageAsync(pid);
            }
        }
        await Task.Delay(Settle);
        foreach (var (service, ids) in pids)
        {
            footprints[service] = (asFound[service], new Footprint(ids.Sum(Machine.ResidentBytes), heaps[service], ids.Sum(Machine.Descriptors)));
        }
        return footprints;
    }

    /// <summary>Each service's <c>/metrics</c>, its replicas read together.</summary>
    private static async Task<Dictionary<string, PrometheusText>> ScrapeEachAsync(HttpClient http, Dictionary<string, IReadOnlyList<Uri>> services)
    {
        var scrapes = new Dictionary<string, PrometheusText>();
        foreach (var (name, replicas) in services)
        {
            scrapes[name] = await PrometheusText.ScrapeAsync(http, replicas);
        }
        return scrapes;
    }

    private static void Count(ConcurrentDictionary<string, int> errors, string error) => errors.AddOrUpdate(error, 1, (_, count) => count + 1);

    private static double Percentile(double[] sorted, double share) => sorted.Length == 0 ? double.NaN : ClosedLoop.Percentile(sorted, share);

    private static void Row(string name, string value, string goal = "", bool? met = null) =>
        Console.WriteLine($"{name,-40} {value,-56} {goal,-12} {(met is null ? "" : met.Value ? "met" : "MISSED")}");

    private sealed record Streamed(double? FirstDeltaMs, double TotalMs, int Deltas, int Joined, List<double> WordDelaysMs, bool Complete);

    private sealed record Footprint(double Resident, double GcHeap, double Descriptors)
    {
        public Footprint Less(Footprint other) => new(Resident - other.Resident, GcHeap - other.GcHeap, Descriptors - other.Descriptors);

        public Footprint Per(double count) => new(Resident / count, GcHeap / count, Descriptors / count);
    }
}
