using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Benchmarks;

/// <summary>
/// Whole requests, measured: straight to the mock provider, then through the Gateway (cache miss and cache hit), at
/// concurrency 1 and 32, printing RPS, p50, p99 and what the Gateway adds. The platform runs as the AppHost runs it.
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- load [seconds per scenario, default 10] [only scenarios whose "name @ concurrency" contains this]</c>.
/// </summary>
public static class LoadRunner
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var only = args.Length > 1 ? args[1] : "";
        Figures.WriteRun("load", await MeasureAsync(seconds, only, idleSeconds: 0));
    }

    /// <summary>Starts the platform and measures it: at rest for <paramref name="idleSeconds"/> (when not 0), then under load.</summary>
    public static async Task<List<Figure>> MeasureAsync(int seconds, string only, int idleSeconds)
    {
        await using var mocked = await MockedPlatform.StartAsync();
        var (mock, platform) = (mocked.Mock, mocked.Platform);
        var figures = idleSeconds > 0 ? await Rest.MeasureAsync(platform, idleSeconds) : [];
        var key = await platform.GetParameterValueAsync("demo-key");
        var gateway = platform.GetEndpoint("gateway");
        mock.Requests.Clear();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
        var counter = 0L;
        var chat = new Uri(gateway, "v1/chat/completions");
        Scenario direct = new("direct to mock", new Uri(mock.BaseUrl, "v1/chat/completions"), null, () => Body("mock-1", Interlocked.Increment(ref counter)));
        Scenario directStream = direct with { Name = "direct to mock, stream", Body = () => Body("mock-1", Interlocked.Increment(ref counter), stream: true), Streams = true };
        Scenario miss = new("gateway, cache miss", chat, key, () => Body("mock/mock-1", Interlocked.Increment(ref counter)), Baseline: direct);
        Scenario hit = new("gateway, cache hit", chat, key, () => Body("mock/mock-1", 0), Baseline: direct);
        // Streams are measured to their first byte (the first token's event): what a chat user waits for.
        Scenario stream = new("gateway, stream miss", chat, key, () => Body("mock/mock-1", Interlocked.Increment(ref counter), stream: true), Streams: true, Baseline: directStream);

        // Each process's CPU per request tells where time goes, steadier than the rates on a shared machine.
        var processes = Rest.Processes(platform, projectsOnly: false).Append((Name: "load generator and mock", Pid: Environment.ProcessId)).ToList();
        var results = new List<Result>();
        // The first minute after start is slower (tiered compilation in every process on the path): warm up longer once.
        var warmUp = TimeSpan.FromSeconds(30);
        foreach (var concurrency in new[] { 1, 32 })
        {
            // The filter matches "name @ concurrency", so "miss @ 32" runs one scenario (and its direct baseline).
            var chosen = new[] { miss, hit, stream }.Where(s => $"{s.Name} @ {concurrency}".Contains(only, StringComparison.Ordinal)).ToList();
            var baselines = chosen.Select(s => s.Baseline!).Distinct().ToList();
            foreach (var scenario in baselines.Concat(chosen))
            {
                var isBaseline = scenario.Baseline is null;
                await MeasureAsync(http, scenario, concurrency, isBaseline ? TimeSpan.FromSeconds(3) : warmUp);
                warmUp = isBaseline ? warmUp : TimeSpan.FromSeconds(10);
                mock.Requests.Clear();
                // The mock alone is steady within seconds; a long run is for the platform.
                var cpuBefore = processes.Select(p => Rest.CpuTicks(p.Pid)).ToArray();
                var result = await MeasureAsync(http, scenario, concurrency, TimeSpan.FromSeconds(isBaseline ? Math.Min(seconds, 10) : seconds));
                results.Add(result);
                Console.WriteLine(result);
                if (!isBaseline)
                {
                    var perRequest = processes.Select((p, i) => (p.Name, Micros: Rest.Seconds(Rest.CpuTicks(p.Pid) - cpuBefore[i]) * 1e6 / result.Requests))
                        .GroupBy(p => p.Name).Select(g => (Name: g.Key, Micros: g.Sum(p => p.Micros))).Where(p => p.Micros > 0).OrderByDescending(p => p.Micros).ToList();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  CPU per request: {string.Join(", ", perRequest.Select(p => $"{p.Name} {p.Micros:0} µs"))}"));
                    var gatewayCpu = perRequest.FirstOrDefault(p => p.Name == "gateway").Micros;
                    figures.Add(new Figure($"{scenario.Name}, c={concurrency}: Gateway CPU per request", gatewayCpu, "µs", Context: true));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"scenario",-24} {"conc",4} {"requests",9} {"RPS",8} {"p50 ms",8} {"p99 ms",8} {"added p50",10} {"errors",7}");
        foreach (var result in results)
        {
            var baseline = result.Scenario.Baseline is { } of ? results.First(r => r.Scenario == of && r.Concurrency == result.Concurrency) : null;
            var added = baseline is null ? "" : $"{result.P50 - baseline.P50:0.000}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Scenario.Name,-24} {result.Concurrency,4} {result.Requests,9} {result.Rps,8:0} {result.P50,8:0.000} {result.P99,8:0.000} {added,10} {result.Errors,7}"));
            var name = $"{result.Scenario.Name}, c={result.Concurrency}";
            // Streams are timed to their first byte, and their figures say so.
            var (p50, p99) = result.Scenario.Streams ? ("first byte p50", "first byte p99") : ("p50", "p99");
            figures.Add(new Figure($"{name}: RPS", result.Rps, "RPS", baseline is null));
            figures.Add(new Figure($"{name}: {p50}", result.P50, "ms", baseline is null));
            figures.Add(new Figure($"{name}: {p99}", result.P99, "ms", baseline is null));
            if (baseline is not null)
            {
                figures.Add(new Figure($"{name}: added {p50}", result.P50 - baseline.P50, "ms"));
            }
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; load generator, mock, Gateway, Orchestrator, Redis, NATS and PostgreSQL all on it.");
        return figures;
    }

    private static async Task<Result> MeasureAsync(HttpClient http, Scenario scenario, int concurrency, TimeSpan duration)
    {
        var loop = await ClosedLoop.RunAsync(concurrency, duration, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, scenario.Url) { Content = new StringContent(scenario.Body(), Encoding.UTF8, "application/json") };
            if (scenario.Key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", scenario.Key);
            }
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            var first = await body.ReadAsync(buffer);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            while (first > 0 && await body.ReadAsync(buffer) > 0)
            {
            }
            return (scenario.Streams ? elapsed : Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.IsSuccessStatusCode);
        });
        return new Result(scenario, concurrency, loop.Requests, loop.Rate, loop.Percentile(0.50), loop.Percentile(0.99), loop.Errors);
    }

    private static string Body(string model, long n, bool stream = false) =>
        $"{{\"model\":\"{model}\",\"max_tokens\":64,\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"system\",\"content\":\"You are brief.\"}},{{\"role\":\"user\",\"content\":\"Tell me about request {n}.\"}}]}}";

    /// <summary>A kind of request; <paramref name="Baseline"/> is the same request straight to the mock (none for those themselves).</summary>
    private sealed record Scenario(string Name, Uri Url, string? Key, Func<string> Body, bool Streams = false, Scenario? Baseline = null);

    private sealed record Result(Scenario Scenario, int Concurrency, int Requests, double Rps, double P50, double P99, int Errors)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Scenario.Name} @ {Concurrency}: {Requests} requests, {Rps:0} RPS, p50 {P50:0.000} ms, p99 {P99:0.000} ms, {Errors} errors");
    }
}
