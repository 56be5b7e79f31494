using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Platform.Catalog;
using Platform.Testing;
using Platform.Testing.Mocks;

namespace Benchmarks;

/// <summary>
/// Whole requests, measured: straight to the mock provider, then through the Gateway (cache miss and cache hit), at
/// concurrency 1 and 32, printing RPS, p50, p99 and what the Gateway adds. The platform runs as the AppHost runs it.
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- load [seconds per scenario, default 10] [only scenarios containing this]</c>.
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
        await using var mock = await MockOpenAiServer.StartAsync();
        var settings = new PlatformSettings { ServiceEnvironment = "Production" };
        settings.Providers["mock"] = new ProviderOptions { Kind = ProviderKinds.OpenAi, BaseUrl = mock.BaseUrl, ApiKey = "sk-mock", Models = [new() { Id = "mock-1" }] };
        Console.WriteLine("Starting the platform (Production environment, throwaway data)…");
        await using var platform = await TestPlatform.StartAsync(settings);
        var figures = idleSeconds > 0 ? await Rest.MeasureAsync(platform, idleSeconds) : [];
        var key = await platform.GetParameterValueAsync("demo-key");
        var gateway = platform.GetEndpoint("gateway");
        mock.Requests.Clear();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
        var counter = 0L;
        Scenario direct = new("direct to mock", new Uri(mock.BaseUrl, "v1/chat/completions"), null, () => Body("mock-1", Interlocked.Increment(ref counter)));
        Scenario miss = new("gateway, cache miss", new Uri(gateway, "v1/chat/completions"), key, () => Body("mock/mock-1", Interlocked.Increment(ref counter)));
        Scenario hit = new("gateway, cache hit", new Uri(gateway, "v1/chat/completions"), key, () => Body("mock/mock-1", 0));

        var results = new List<Result>();
        foreach (var concurrency in new[] { 1, 32 })
        {
            foreach (var scenario in new[] { direct, miss, hit }.Where(s => s == direct || s.Name.Contains(only, StringComparison.Ordinal)))
            {
                // Long enough for tiered compilation to reach optimised code in every process on the path.
                await MeasureAsync(http, scenario, concurrency, TimeSpan.FromSeconds(scenario == direct ? 3 : 10));
                mock.Requests.Clear();
                var result = await MeasureAsync(http, scenario, concurrency, TimeSpan.FromSeconds(seconds));
                results.Add(result);
                Console.WriteLine(result);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"scenario",-22} {"conc",4} {"requests",9} {"RPS",8} {"p50 ms",8} {"p99 ms",8} {"added p50",10} {"errors",7}");
        foreach (var result in results)
        {
            var isDirect = result.Scenario == direct.Name;
            var baseline = results.First(r => r.Scenario == direct.Name && r.Concurrency == result.Concurrency);
            var added = isDirect ? "" : $"{result.P50 - baseline.P50:0.000}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Scenario,-22} {result.Concurrency,4} {result.Requests,9} {result.Rps,8:0} {result.P50,8:0.000} {result.P99,8:0.000} {added,10} {result.Errors,7}"));
            var name = $"{result.Scenario}, c={result.Concurrency}";
            figures.Add(new Figure($"{name}: RPS", result.Rps, "RPS", isDirect));
            figures.Add(new Figure($"{name}: p50", result.P50, "ms", isDirect));
            figures.Add(new Figure($"{name}: p99", result.P99, "ms", isDirect));
            if (!isDirect)
            {
                figures.Add(new Figure($"{name}: added p50", result.P50 - baseline.P50, "ms"));
            }
        }
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; load generator, mock, Gateway, Orchestrator, Redis, NATS and PostgreSQL all on it.");
        return figures;
    }

    private static async Task<Result> MeasureAsync(HttpClient http, Scenario scenario, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            while (clock.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, scenario.Url) { Content = new StringContent(scenario.Body(), Encoding.UTF8, "application/json") };
                if (scenario.Key is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", scenario.Key);
                }
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(scenario.Name, concurrency, all.Length, all.Length / clock.Elapsed.TotalSeconds,
            all[(int)(all.Length * 0.50)], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))], errors);
    }

    private static string Body(string model, long n) =>
        $"{{\"model\":\"{model}\",\"max_tokens\":64,\"messages\":[{{\"role\":\"system\",\"content\":\"You are brief.\"}},{{\"role\":\"user\",\"content\":\"Tell me about request {n}.\"}}]}}";

    private sealed record Scenario(string Name, Uri Url, string? Key, Func<string> Body);

    private sealed record Result(string Scenario, int Concurrency, int Requests, double Rps, double P50, double P99, int Errors)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Scenario} @ {Concurrency}: {Requests} requests, {Rps:0} RPS, p50 {P50:0.000} ms, p99 {P99:0.000} ms, {Errors} errors");
    }
}
