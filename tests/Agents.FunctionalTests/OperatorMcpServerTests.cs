using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Agents.FunctionalTests;

// An MCP server the operator installed (stdio, Agents:StdioServers; the tests' is tests/OperatorMcpServer): listed
// beside a tenant's own, its tools given to agents and called with the calling tenant in _meta, priced as it declares,
// started again after it exits; never registered, deleted or seen by a tenant it is not for.
public sealed partial class OperatorMcpServerTests(PlatformFixture platform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnOperatorsServer_IsListedForItsTenants_ItsToolsRunWithTheTenantAndPrice_AndItIsStartedAgainAfterItExits()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-operator-mcp" });
        using var http = platform.CreateGatewayClient(key);

        // Listed with its tools (started to list them), as stdio; the server for another tenant is not listed.
        var servers = (await http.GetFromJsonAsync<JsonElement>("/api/v1/orchestrator/mcp-servers", Cancellation)).EnumerateArray().ToList();
        servers.Select(s => s.GetProperty("name").GetString()).ShouldNotContain(PlatformFixture.OtherTenantsOperatorServer);
        var inventory = servers.Single(s => s.GetProperty("name").GetString() == PlatformFixture.OperatorServer);
        inventory.GetProperty("transport").GetString().ShouldBe("stdio");
        inventory.GetProperty("url").ValueKind.ShouldBe(JsonValueKind.Null);
        var tools = inventory.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        tools.Keys.Order().ShouldBe(["caller", "exit", "stock"]);
        tools["stock"].GetProperty("costUsd").GetDecimal().ShouldBe(0.002m);
        tools["caller"].GetProperty("idempotent").GetBoolean().ShouldBeTrue();

        // Not the tenant's to register, delete or see when it is for another tenant.
        var taken = await http.PostAsJsonAsync("/api/v1/orchestrator/mcp-servers", new { name = PlatformFixture.OperatorServer, url = "https://example.com/mcp" }, Cancellation);
        taken.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await taken.Content.ReadAsStringAsync(Cancellation)).ShouldContain("the operator installed");
        (await http.DeleteAsync($"/api/v1/orchestrator/mcp-servers/{PlatformFixture.OperatorServer}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await http.GetAsync($"/api/v1/orchestrator/mcp-servers/{PlatformFixture.OtherTenantsOperatorServer}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var refused = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name = "nosy", instructions = "Count.", model = "mock/mock-1", tools = new[] { $"mcp:{PlatformFixture.OtherTenantsOperatorServer}/*" } }, Cancellation);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(Cancellation)).ShouldContain($"mcp:{PlatformFixture.OtherTenantsOperatorServer}/*");
        var refreshed = await http.PostAsync($"/api/v1/orchestrator/mcp-servers/{PlatformFixture.OperatorServer}/refresh", null, Cancellation);
        refreshed.StatusCode.ShouldBe(HttpStatusCode.OK);

        // An agent given its tools calls them: with the environment the operator set, and the calling tenant in _meta.
        var created = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name = "clerk", instructions = "Check the stock.", model = "mock/mock-1", tools = new[] { $"mcp:{PlatformFixture.OperatorServer}/*" } }, Cancellation);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
        var run = await AgentRuns.RunAsync(http, "clerk", new { input = """[[calls:inventory__stock {"item":"widget"}|inventory__caller {}|inventory__exit {}]] Check.""" });
        run.GetProperty("state").GetString().ShouldBe("succeeded");
        var results = AgentRuns.Steps(run, "tool.result").ToList();
        results.Select(r => r.GetProperty("ok").GetBoolean()).ShouldBe([true, true, true]);
        results[0].GetProperty("result").GetString().ShouldBe("widget: 42 in stock in eu-west");
        results[0].GetProperty("cost").GetDecimal().ShouldBe(0.002m);
        var caller = CallerResult().Match(results[1].GetProperty("result").GetString()!);
        caller.Groups["tenant"].Value.ShouldBe(tenantId.ToString());

        // The tool's price is usage of its own, and part of the run's cost.
        var usage = (await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 5)).Where(e => e.RunId == run.GetProperty("id").GetGuid()).ToList();
        usage.Single(e => e.Endpoint == "agent.tool").Cost.ShouldBe(0.002m);
        run.GetProperty("cost").GetDecimal().ShouldBe(usage.Sum(e => e.Cost));

        // The server exited after its answer; the next call starts it again (a call that found it gone fails, and is told).
        var restarted = await Eventually.GetAsync(async () =>
        {
            var again = AgentRuns.Steps(await AgentRuns.RunAsync(http, "clerk", new { input = "[[calls:inventory__caller {}]] Who?" }), "tool.result").Single();
            return again.GetProperty("ok").GetBoolean() ? CallerResult().Match(again.GetProperty("result").GetString()!) : null;
        }, TimeSpan.FromSeconds(60));
        restarted.Groups["tenant"].Value.ShouldBe(tenantId.ToString());
        restarted.Groups["process"].Value.ShouldNotBe(caller.Groups["process"].Value);
    }

    [GeneratedRegex(@"^tenant (?<tenant>[0-9a-f-]+), process (?<process>\d+)$")]
    private static partial Regex CallerResult();
}
