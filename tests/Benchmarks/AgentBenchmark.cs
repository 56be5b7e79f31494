using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;

namespace Benchmarks;

/// <summary>
/// Agent runs through the Gateway (<c>model: "agent/calc"</c>, whole answers), each a model step asking for the
/// built-in calculator, the tool call, and a model step answering, the model being the mock. At concurrency 1 and 32,
/// prints runs per second and their latency, and from each run's record the agent-step overhead: the run's time
/// (started → finished) less the time inside its model and tool calls, per model step (goal ≤ 2 ms); and the queue
/// delay (created → started). Usage: <c>dotnet run -c Release --project tests/Benchmarks -- agents [seconds per concurrency, default 10]</c>.
/// </summary>
public static class AgentBenchmark
{
    private const string Agent = "calc";

    /// <summary>The table's columns: each concurrency's <see cref="Result.ToFigures"/>, in order.</summary>
    private static readonly string[] Columns = ["runs/s", "p50 ms", "p95 ms", "overhead p50", "overhead p95", "queue p50", "queue p95"];

    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        await using var mocked = await MockedPlatform.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = mocked.Platform.GetEndpoint("gateway"),
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await CreateTenantKeyAsync(mocked.Platform));
        (await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name = Agent, instructions = "Answer with the calculator.", model = "mock/mock-1", tools = new[] { "calculator" } })).EnsureSuccessStatusCode();

        var results = new List<Result>();
        // As the load runner: the first minute after start is slower (tiered compilation), so the first warm-up is longer.
        var warmUp = TimeSpan.FromSeconds(30);
        foreach (var concurrency in new[] { 1, 32 })
        {
            await MeasureAsync(http, concurrency, warmUp);
            warmUp = TimeSpan.FromSeconds(10);
            var result = await MeasureAsync(http, concurrency, TimeSpan.FromSeconds(seconds));
            results.Add(result);
            Console.WriteLine(result);
        }

        Console.WriteLine();
        Console.WriteLine($"{"conc",4} {"runs",6} {"errors",6}{string.Concat(Columns.Select(c => $" {c,13}"))}");
        var figures = new List<Figure>();
        foreach (var result in results)
        {
            var row = result.ToFigures();
            figures.AddRange(row);
            Console.WriteLine($"{result.Concurrency,4} {result.Loop.Requests,6} {result.Loop.Errors,6}{string.Concat(row.Select(f => $" {Figures.Format(f.Value),13}"))}");
        }
        Console.WriteLine("Step overhead: a run's time (started → finished) less the time inside its model and tool calls, per model step (goal ≤ 2 ms).");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; load generator, mock, every service, Redis, NATS and PostgreSQL all on it.");
        Figures.WriteRun("agents", figures);
    }

    /// <summary>A tenant of its own on the enterprise plan (limits far above this load), and its key.</summary>
    private static async Task<string> CreateTenantKeyAsync(TestPlatform platform)
    {
        using var admin = new HttpClient { BaseAddress = platform.GetEndpoint("gateway") };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", await platform.GetParameterValueAsync("admin-key"));
        var tenant = await ReadAsync(await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name = "agent-bench", plan = "enterprise" }));
        var key = await ReadAsync(await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenant.GetProperty("id").GetGuid()}/keys", new { name = "agent-bench" }));
        return key.GetProperty("key").GetString()!;
    }

    /// <summary>Runs the agent from <paramref name="concurrency"/> clients, then reads every run's record (after the load, so reading adds nothing to it).</summary>
    private static async Task<Result> MeasureAsync(HttpClient http, int concurrency, TimeSpan duration)
    {
        var runs = new ConcurrentQueue<Guid>();
        var loop = await ClosedLoop.RunAsync(concurrency, duration, async () =>
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = $"agent/{Agent}",
                // Every question new, so no model step is answered from the exact cache.
                messages = new[] { new { role = "user", content = $$"""[[calls:calculator {"expression":"17.5 * 4"}]] What is 17.5 times 4? ({{Guid.NewGuid():N}})""" } },
            });
            await response.Content.LoadIntoBufferAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.Headers.TryGetValues("x-agent-run", out var run))
            {
                runs.Enqueue(Guid.Parse(run.First()));
            }
            return (elapsed, response.IsSuccessStatusCode);
        });
        var times = new ConcurrentBag<RunTimes>();
        await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, cancellationToken) =>
        {
            if (RunTimes.Of(await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{id}", cancellationToken)) is { } succeeded)
            {
                times.Add(succeeded);
            }
        });
        return new Result(concurrency, loop, [.. times]);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private sealed record Result(int Concurrency, ClosedLoop Loop, List<RunTimes> Runs)
    {
        public double Of(Func<RunTimes, double> figure, double share) => ClosedLoop.Percentile([.. Runs.Select(figure).Order()], share);

        public List<Figure> ToFigures() =>
        [
            new($"agent runs, c={Concurrency}: runs/s", Loop.Rate, "runs/s"),
            new($"agent runs, c={Concurrency}: p50", Loop.Percentile(0.50), "ms"),
            new($"agent runs, c={Concurrency}: p95", Loop.Percentile(0.95), "ms"),
            new($"agent runs, c={Concurrency}: step overhead p50", Of(r => r.OverheadPerStepMs, 0.50), "ms"),
            new($"agent runs, c={Concurrency}: step overhead p95", Of(r => r.OverheadPerStepMs, 0.95), "ms"),
            new($"agent runs, c={Concurrency}: queue delay p50", Of(r => r.QueueMs, 0.50), "ms"),
            new($"agent runs, c={Concurrency}: queue delay p95", Of(r => r.QueueMs, 0.95), "ms"),
        ];

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"agent runs @ {Concurrency}: {Loop.Requests} runs, {Loop.Rate:0.0} runs/s, p50 {Loop.Percentile(0.50):0.0} ms, p95 {Loop.Percentile(0.95):0.0} ms, {Loop.Errors} errors; " +
            $"per step p50: overhead {Of(r => r.OverheadPerStepMs, 0.50):0.00} ms, model {Of(r => r.ModelPerStepMs, 0.50):0.00} ms, tool {Of(r => r.ToolPerStepMs, 0.50):0.00} ms; " +
            $"queue delay p50 {Of(r => r.QueueMs, 0.50):0.00} ms ({Runs.Count} succeeded runs read)");
    }

    /// <summary>From a succeeded run's record: its wait in the queue, and per model step its own time and its calls'.</summary>
    private sealed record RunTimes(double QueueMs, double OverheadPerStepMs, double ModelPerStepMs, double ToolPerStepMs)
    {
        public static RunTimes? Of(JsonElement run)
        {
            if (run.GetProperty("state").GetString() != "succeeded")
            {
                return null;
            }
            var (created, started, finished) = (Time(run, "created_at"), Time(run, "started_at"), Time(run, "finished_at"));
            var steps = run.GetProperty("model_calls").GetInt32();
            double InCalls(string type) => run.GetProperty("steps").EnumerateArray()
                .Where(e => e.GetProperty("type").GetString() == type).Sum(e => e.GetProperty("data").GetProperty("duration_ms").GetDouble());
            var (model, tool) = (InCalls("model.step"), InCalls("tool.result"));
            return new RunTimes((started - created).TotalMilliseconds, ((finished - started).TotalMilliseconds - model - tool) / steps, model / steps, tool / steps);
        }

        private static DateTimeOffset Time(JsonElement run, string name) => run.GetProperty(name).GetDateTimeOffset();
    }
}
