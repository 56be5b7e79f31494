using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Agents.FunctionalTests;

// Capabilities: one name an agent calls, served by tools in order, each behind a timeout, a breaker and a bulkhead.
public sealed class ToolRouterTests(PlatformFixture platform) : IAsyncLifetime
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;
    private TestMcpServer _tools = null!;

    public async ValueTask InitializeAsync() => _tools = await TestMcpServer.StartAsync();

    public async ValueTask DisposeAsync() => await _tools.DisposeAsync();

    [Fact]
    public async Task WhenTheFirstToolFails_TheSecondAnswers_BothInTheSteps_AndAfterEnoughFailures_TheFirstsCircuitOpens()
    {
        using var http = await TenantWithSearchAsync("router-fallback", new { minimumThroughput = 2, failureRatio = 0.5, breakSeconds = 300, retries = 1 });
        _tools.PrimaryFails = true;

        var first = await RunSearchAsync(http, "dotnet");
        first.Answer.ShouldBe("mock: backup: dotnet");
        first.Result.GetProperty("answered_by").GetString().ShouldBe("search__search_backup");
        Attempts(first.Result).ShouldBe([("search__search_primary", false, "error"), ("search__search_backup", true, null)]);
        // Not declared idempotent: a failed call is not retried, the next tool is asked instead.
        _tools.CallsOf("search_primary").ShouldBe(1);

        await RunSearchAsync(http, "aspire");
        _tools.CallsOf("search_primary").ShouldBe(2);

        // Two calls, both failed: the primary's circuit is open, and the run does not wait on it.
        var third = await RunSearchAsync(http, "nats");
        Attempts(third.Result).ShouldBe([("search__search_primary", false, "circuit_open"), ("search__search_backup", true, null)]);
        _tools.CallsOf("search_primary").ShouldBe(2);
    }

    [Fact]
    public async Task AToolAtItsConcurrencyLimit_IsPassedOver_AndASlowOne_TimesOut()
    {
        using var http = await TenantWithSearchAsync("router-bulkhead", new { maxConcurrency = 1, timeoutSeconds = 3 });
        _tools.PrimaryDelay = TimeSpan.FromSeconds(1.5);

        // One run holds the primary's only slot; a run that needs it meanwhile is served by the backup.
        var holding = RunSearchAsync(http, "first");
        await Eventually.TrueAsync(() => Task.FromResult(_tools.CallsOf("search_primary") == 1), "the first call in the primary");
        var passedOver = await RunSearchAsync(http, "second");
        Attempts(passedOver.Result).ShouldBe([("search__search_primary", false, "bulkhead_full"), ("search__search_backup", true, null)]);
        Attempts((await holding).Result).ShouldBe([("search__search_primary", true, null)]);

        _tools.PrimaryDelay = TimeSpan.FromSeconds(10);
        var slow = await RunSearchAsync(http, "third");
        Attempts(slow.Result).ShouldBe([("search__search_primary", false, "timeout"), ("search__search_backup", true, null)]);
        slow.Answer.ShouldBe("mock: backup: third");
    }

    [Fact]
    public async Task ACapability_NeedsKnownTools_AndAFunctionName()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "router-validation" });
        using var http = platform.CreateGatewayClient(key);
        (await http.PutAsJsonAsync("/api/v1/orchestrator/capabilities/web-search", new { tools = new[] { "calculator" } }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PutAsJsonAsync("/api/v1/orchestrator/capabilities/web_search", new { tools = new[] { "mcp:nowhere/search" } }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PutAsJsonAsync("/api/v1/orchestrator/capabilities/web_search", new { tools = Array.Empty<string>() }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PutAsJsonAsync("/api/v1/orchestrator/capabilities/web_search", new { tools = new[] { "calculator" }, policy = new { maxConcurrency = 0 } }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var agent = await http.PostAsJsonAsync("/api/v1/orchestrator/agents", new { name = "a", instructions = "Help.", model = "mock/mock-1", tools = new[] { "capability:undefined" } }, Cancellation);
        agent.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    /// <summary>A tenant with the test MCP server as "search", a capability over its two search tools, and an agent that has it.</summary>
    private async Task<HttpClient> TenantWithSearchAsync(string name, object policy)
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name });
        var http = platform.CreateGatewayClient(key);
        (await http.PostAsJsonAsync("/api/v1/orchestrator/mcp-servers", new { name = "search", url = _tools.Endpoint }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var capability = await http.PutAsJsonAsync("/api/v1/orchestrator/capabilities/web_search",
            new { description = "Searches the web.", tools = new[] { "mcp:search/search_primary", "mcp:search/search_backup" }, policy }, Cancellation);
        capability.StatusCode.ShouldBe(HttpStatusCode.OK, await capability.Content.ReadAsStringAsync(Cancellation));
        var agent = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name = "researcher", instructions = "Search, then answer.", model = "mock/mock-1", tools = new[] { "capability:web_search" } }, Cancellation);
        agent.StatusCode.ShouldBe(HttpStatusCode.Created, await agent.Content.ReadAsStringAsync(Cancellation));
        return http;
    }

    /// <summary>Runs the researcher on <paramref name="query"/>: its answer and the capability call's result event.</summary>
    private static async Task<(string Answer, JsonElement Result)> RunSearchAsync(HttpClient http, string query)
    {
        var started = await http.PostAsJsonAsync("/v1/agents/researcher/runs", new { input = $$"""[[calls:web_search {"query":"{{query}}"}]] Look it up.""" }, Cancellation);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
        var ended = await Eventually.GetAsync(async () =>
        {
            var current = await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{id}", Cancellation);
            return current.GetProperty("state").GetString() is "succeeded" or "failed" ? current.GetRawText() : null;
        }, TimeSpan.FromSeconds(60));
        var run = JsonDocument.Parse(ended).RootElement;
        run.GetProperty("state").GetString().ShouldBe("succeeded", ended);
        var result = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("type").GetString() == "tool.result").GetProperty("data");
        return (run.GetProperty("answer").GetString()!, result);
    }

    private static List<(string Tool, bool Ok, string? Reason)> Attempts(JsonElement result) =>
        [.. result.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("tool").GetString()!, a.GetProperty("ok").GetBoolean(), a.GetProperty("reason").GetString()))];

}
