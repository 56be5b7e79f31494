using System.Diagnostics;
using System.Net;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Platform.Testing.Mocks;

namespace Platform.UnitTests;

// The agent tests' MCP server, driven by the SDK's own client over streamable HTTP.
public sealed class TestMcpServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListTools_ServerStarted_ListsTheToolsWithSchemasAndChargesCost()
    {
        await using var server = await TestMcpServer.StartAsync();
        await using var client = await ConnectAsync(server);

        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);

        tools.Select(t => t.Name).ShouldBe(["get_weather", "charge", "charge_status", "refund", "search_primary", "search_backup", "wait_for_release"], ignoreOrder: true);
        var charge = tools.Single(t => t.Name == "charge");
        charge.ProtocolTool.Meta!["cost_usd"]!.GetValue<double>().ShouldBe(0.01);
        charge.JsonSchema.GetProperty("properties").GetProperty("amount").GetProperty("type").GetString().ShouldBe("number");
        tools.Single(t => t.Name == "get_weather").ProtocolTool.Meta.ShouldBeNull();
    }

    [Fact]
    public async Task CallTool_GetWeather_AnswersWithTheCity()
    {
        await using var server = await TestMcpServer.StartAsync();
        await using var client = await ConnectAsync(server);

        var result = await client.CallToolAsync("get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }, cancellationToken: Cancellation);

        result.IsError.ShouldNotBe(true);
        Text(result).ShouldBe("Sunny in Paris, 21 °C");
        server.CallsOf("get_weather").ShouldBe(1);
    }

    [Fact]
    public async Task CallTool_ChargeTwiceThenRefund_CountsChargesAndRecordsReceiptsAndRefund()
    {
        await using var server = await TestMcpServer.StartAsync();
        await using var client = await ConnectAsync(server);

        var first = await client.CallToolAsync("charge", new Dictionary<string, object?> { ["account"] = "a", ["amount"] = 5m }, cancellationToken: Cancellation);
        var second = await client.CallToolAsync("charge", new Dictionary<string, object?> { ["account"] = "a", ["amount"] = 2.5m }, cancellationToken: Cancellation);
        var refund = await client.CallToolAsync("refund", new Dictionary<string, object?> { ["receipt"] = Text(first) }, cancellationToken: Cancellation);

        (Text(first), Text(second), Text(refund)).ShouldBe(("receipt-a-1", "receipt-a-2", "refunded receipt-a-1"));
        server.ChargesOf("a").ShouldBe(2);
        server.ChargesOf("b").ShouldBe(0);
        server.Receipts.ShouldBe(["receipt-a-1", "receipt-a-2"]);
        server.Refunds.ShouldBe(["receipt-a-1"]);
    }

    [Fact]
    public async Task CallTool_PrimaryFailsAfterADelay_IsAnErrorResultUntilItRecovers()
    {
        await using var server = await TestMcpServer.StartAsync();
        await using var client = await ConnectAsync(server);
        var query = new Dictionary<string, object?> { ["query"] = "q" };

        (server.PrimaryFails, server.PrimaryDelay) = (true, TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();
        var failed = await client.CallToolAsync("search_primary", query, cancellationToken: Cancellation);
        var failedAfter = clock.Elapsed;
        (server.PrimaryFails, server.PrimaryDelay) = (false, TimeSpan.Zero);
        var recovered = await client.CallToolAsync("search_primary", query, cancellationToken: Cancellation);
        var backup = await client.CallToolAsync("search_backup", query, cancellationToken: Cancellation);

        failed.IsError.ShouldBe(true);
        failedAfter.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200));
        Text(failed).ShouldContain("The primary index is unavailable.");
        (Text(recovered), Text(backup)).ShouldBe(("primary: q", "backup: q"));
        server.CallsOf("search_primary").ShouldBe(2);
    }

    [Fact]
    public async Task CallTool_WaitForRelease_AnswersOnlyOnceReleased()
    {
        await using var server = await TestMcpServer.StartAsync();
        await using var client = await ConnectAsync(server);

        var call = client.CallToolAsync("wait_for_release", new Dictionary<string, object?> { ["token"] = "t1" }, cancellationToken: Cancellation).AsTask();
        await server.WaitingAsync("t1").WaitAsync(Timeout, Cancellation);
        await Task.Delay(200, Cancellation);
        call.IsCompleted.ShouldBeFalse();
        server.Release("t1");

        Text(await call.WaitAsync(Timeout, Cancellation)).ShouldBe("released t1");
    }

    [Fact]
    public async Task Request_RequiredBearer_RefusesOthersWith401()
    {
        await using var server = await TestMcpServer.StartAsync();
        server.RequiredBearer = "s3cret";
        using var http = new HttpClient();

        var refused = await http.PostAsync(server.Endpoint, new StringContent("{}"), Cancellation);
        await using var client = await ConnectAsync(server, new Dictionary<string, string> { ["Authorization"] = "Bearer s3cret" });
        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        tools.Count.ShouldBe(7);
    }

    private static Task<McpClient> ConnectAsync(TestMcpServer server, Dictionary<string, string>? headers = null) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = server.Endpoint, TransportMode = HttpTransportMode.StreamableHttp, AdditionalHeaders = headers }),
            cancellationToken: Cancellation).WaitAsync(Timeout, Cancellation);

    private static string Text(CallToolResult result) => result.Content.OfType<TextContentBlock>().Single().Text;
}
