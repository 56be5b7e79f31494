using System.Net;
using System.Net.Http.Json;

namespace Agents.FunctionalTests;

// Runs that outlive the Orchestrator that ran them, never make a side-effecting call twice, and undo what they did when they fail.
public sealed class DurableRunTests(PlatformFixture platform) : IAsyncLifetime
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;
    private TestMcpServer _tools = null!;

    public async ValueTask InitializeAsync() => _tools = await TestMcpServer.StartAsync();

    public async ValueTask DisposeAsync() => await _tools.DisposeAsync();

    [Fact]
    public async Task ARun_WhoseOrchestratorStopsMidCall_CompletesAfterTheRestart_AndItsCharge_IsMadeOnce()
    {
        using var http = await TenantWithBankAsync("durable-restart", "payer", new { });
        _tools.HoldCharges = true;
        var run = await AgentRuns.StartAsync(http, "payer", new { input = """[[calls:bank__charge {"account":"restart","amount":5}|bank__get_weather {"city":"Oslo"}]] Pay, then tell me the weather.""" });

        // The charge is made, and its answer held back: the run cannot know it happened.
        await _tools.WaitingAsync("charge").WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
        await platform.App.StopResourceAsync("orchestrator");
        _tools.HoldCharges = false;
        _tools.Release("charge");
        await platform.App.StartResourceAsync("orchestrator");

        var ended = await AgentRuns.WaitForEndAsync(http, run);
        ended.GetProperty("state").GetString().ShouldBe("succeeded", ended.ToString());
        ended.GetProperty("answer").GetString().ShouldBe("mock: Sunny in Oslo, 21 °C");
        _tools.ChargesOf("restart").ShouldBe(1);
        // The restarted run asked the tool what became of its call, by the call's idempotency key.
        _tools.CallsOf("charge_status").ShouldBe(1);
        var charge = AgentRuns.Steps(ended, "tool.result").Single(s => s.GetProperty("tool").GetString() == "bank__charge");
        charge.GetProperty("ok").GetBoolean().ShouldBeTrue();
        charge.GetProperty("result").GetString().ShouldBe("receipt-restart-1");
        charge.GetProperty("answered_by").GetString()!.ShouldContain("charge_status");
        // One call written ahead, never a second for the same step.
        AgentRuns.Steps(ended, "tool.call").Count(s => s.GetProperty("tool").GetString() == "bank__charge").ShouldBe(1);
    }

    [Fact]
    public async Task ARun_ThatFailsAfterItsCharges_RefundsThem_NewestFirst()
    {
        using var http = await TenantWithBankAsync("durable-compensation", "spender", new { maxIterations = 2 });
        var run = await AgentRuns.StartAsync(http, "spender", new
        {
            input = """[[calls:bank__charge {"account":"undo","amount":5}|bank__charge {"account":"undo","amount":7}|bank__charge {"account":"undo","amount":9}]] Pay three times.""",
        });

        var ended = await AgentRuns.WaitForEndAsync(http, run);
        ended.GetProperty("state").GetString().ShouldBe("failed");
        ended.GetProperty("error").GetProperty("code").GetString().ShouldBe("max_iterations_exceeded");
        _tools.ChargesOf("undo").ShouldBe(2);
        _tools.Refunds.Where(r => r.StartsWith("receipt-undo-", StringComparison.Ordinal)).ShouldBe(["receipt-undo-2", "receipt-undo-1"]);
        AgentRuns.Steps(ended, "tool.compensated").Select(s => (s.GetProperty("compensation").GetString(), s.GetProperty("ok").GetBoolean())).ShouldBe([("refund", true), ("refund", true)]);
    }

    [Fact]
    public async Task ARun_ThatFailsAfterACapabilitysCharges_RefundsThem_WithTheToolThatAnswered()
    {
        using var http = await TenantWithBankAsync("durable-capability", "unused", new { });
        var capability = await http.PutAsJsonAsync("/api/v1/orchestrator/capabilities/payments",
            new { description = "Charges an account.", tools = new[] { "mcp:bank/charge" } }, Cancellation);
        capability.StatusCode.ShouldBe(HttpStatusCode.OK, await capability.Content.ReadAsStringAsync(Cancellation));
        var agent = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name = "routed-spender", instructions = "Pay as asked.", model = "mock/mock-1", tools = new[] { "capability:payments" }, limits = new { maxIterations = 2 } }, Cancellation);
        agent.StatusCode.ShouldBe(HttpStatusCode.Created, await agent.Content.ReadAsStringAsync(Cancellation));

        var ended = await AgentRuns.RunAsync(http, "routed-spender", new
        {
            input = """[[calls:payments {"account":"routed","amount":5}|payments {"account":"routed","amount":7}|payments {"account":"routed","amount":9}]] Pay three times.""",
        });

        ended.GetProperty("state").GetString().ShouldBe("failed");
        _tools.ChargesOf("routed").ShouldBe(2);
        _tools.Refunds.Where(r => r.StartsWith("receipt-routed-", StringComparison.Ordinal)).ShouldBe(["receipt-routed-2", "receipt-routed-1"]);
        AgentRuns.Steps(ended, "tool.compensated").Select(s => (s.GetProperty("tool").GetString(), s.GetProperty("ok").GetBoolean())).ShouldBe([("payments", true), ("payments", true)]);
    }

    private async Task<HttpClient> TenantWithBankAsync(string tenant, string agent, object limits)
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = tenant });
        var http = platform.CreateGatewayClient(key);
        (await http.PostAsJsonAsync("/api/v1/orchestrator/mcp-servers", new { name = "bank", url = _tools.Endpoint }, Cancellation)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var created = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name = agent, instructions = "Pay as asked.", model = "mock/mock-1", tools = new[] { "mcp:bank/charge", "mcp:bank/get_weather" }, limits }, Cancellation);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
        return http;
    }
}
