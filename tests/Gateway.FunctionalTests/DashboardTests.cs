using System.Text.Json;
using System.Text.RegularExpressions;
using OpenAI.Chat;

namespace Gateway.FunctionalTests;

// deploy/grafana/ai-platform.json: a dashboard Grafana can import, querying only metrics the platform exports.
public sealed partial class DashboardTests(PlatformFixture platform)
{
    private static readonly string[] Services = ["gateway", "router", "orchestrator", "analytics", "realtime"];

    [Fact]
    public async Task GrafanaDashboard_QueriesOnlyMetricsThePlatformExports()
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(DashboardPath(), TestContext.Current.CancellationToken));
        var root = dashboard.RootElement;
        root.GetProperty("templating").GetProperty("list").EnumerateArray()
            .ShouldContain(v => v.GetProperty("name").GetString() == "DS_PROMETHEUS" && v.GetProperty("type").GetString() == "datasource");
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        panels.ShouldAllBe(p => p.GetProperty("datasource").GetProperty("uid").GetString() == "${DS_PROMETHEUS}");
        var used = panels.SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => MetricNames(t.GetProperty("expr").GetString()!))
            .ToHashSet();
        used.ShouldBe(
            ["agent_requests_total", "agent_latency_seconds_bucket", "cost_per_request_dollars_sum", "cache_hit_rate", "circuit_breaker_state",
             "router_decision_latency_ms_bucket", "router_misroute_rate",
             "ws_connections", "ws_generations", "ws_backpressure_total", "ws_send_queue_bytes", "ws_delivery_delay_seconds_bucket"],
            ignoreOrder: true);

        // Traffic that makes every instrument report: a routed request, a provider call, a cache miss and its hit.
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "dashboard" });
        var openAi = platform.CreateOpenAiClient(key);
        var prompt = $"dashboard {Guid.NewGuid():N}";
        await openAi.GetChatClient("auto").CompleteChatAsync([new UserChatMessage(prompt)], cancellationToken: TestContext.Current.CancellationToken);
        await openAi.GetChatClient("mock/mock-1").CompleteChatAsync([new UserChatMessage(prompt)], cancellationToken: TestContext.Current.CancellationToken);
        await openAi.GetChatClient("mock/mock-1").CompleteChatAsync([new UserChatMessage(prompt)], cancellationToken: TestContext.Current.CancellationToken);
        // And an answer streamed over a socket.
        using (var socket = await RealtimeClient.ConnectAsync(platform.App.GetEndpoint("gateway"), key, TestContext.Current.CancellationToken))
        {
            await socket.ReceiveAsync(TestContext.Current.CancellationToken);
            await socket.SendAsync(new { type = "start", model = "mock-ws", messages = new[] { new { role = "user", content = prompt } } }, TestContext.Current.CancellationToken);
            await socket.ReceiveUntilAsync(RealtimeClient.Ends, TestContext.Current.CancellationToken);
        }

        HashSet<string> missing = [];
        await Eventually.TrueAsync(async () =>
        {
            var exported = await ExportedAsync();
            missing = [.. used.Where(name => !exported.Contains(name))];
            return missing.Count == 0;
        }, "every metric the dashboard uses to be exported", TimeSpan.FromSeconds(30));
        missing.ShouldBeEmpty();
    }

    /// <summary>The metric names of a PromQL expression: identifiers outside labels, ranges and strings that are not functions or keywords.</summary>
    private static IEnumerable<string> MetricNames(string expression)
    {
        var bare = Grouping().Replace(Strings().Replace(expression, ""), " ");
        return Identifiers().Matches(bare).Select(m => m.Value)
            .Where(name => name is not ("and" or "or" or "unless" or "bool" or "offset"));
    }

    private async Task<HashSet<string>> ExportedAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in Services.SelectMany(platform.App.GetReplicaEndpoints))
        {
            using var http = new HttpClient { BaseAddress = endpoint };
            foreach (var line in (await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken)).Split('\n'))
            {
                if (line.Length > 0 && line[0] != '#')
                {
                    names.Add(line[..line.IndexOfAny(['{', ' '])]);
                }
            }
        }
        return names;
    }

    private static string DashboardPath()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder.FullName, "Aspire.sln")))
        {
            folder = folder.Parent ?? throw new FileNotFoundException("No Aspire.sln above the test's folder.");
        }
        return Path.Combine(folder.FullName, "deploy", "grafana", "ai-platform.json");
    }

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}|\[[^\]]*\]|\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")]
    private static partial Regex Identifiers();
}
