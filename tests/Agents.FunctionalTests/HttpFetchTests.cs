using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Agents.FunctionalTests;

// The built-in http_fetch: pages on the tenant's allow-list only, redirects only within it, no private addresses
// unless the operator allows them (the tests' platform allows 127.0.0.1, where the test pages are).
public sealed class HttpFetchTests(PlatformFixture platform) : IAsyncLifetime
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;
    private TestMcpServer _site = null!;

    public async ValueTask InitializeAsync() => _site = await TestMcpServer.StartAsync();

    public async ValueTask DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task AnAgent_FetchesPagesOnTheAllowList_AndIsRefusedElsewhere_ByHost_ByRedirect_AndByAddress()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-fetch" });
        using var http = platform.CreateGatewayClient(key);
        var wrong = await http.PutAsJsonAsync("/api/v1/orchestrator/fetch-allow-list", new { hosts = new[] { "https://example.com/path" } }, Cancellation);
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var saved = await http.PutAsJsonAsync("/api/v1/orchestrator/fetch-allow-list", new { hosts = new[] { "127.0.0.1", "169.254.169.254" } }, Cancellation);
        saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync(Cancellation));
        (await http.GetFromJsonAsync<JsonElement>("/api/v1/orchestrator/fetch-allow-list", Cancellation)).GetProperty("hosts").GetArrayLength().ShouldBe(2);
        var created = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name = "reader", instructions = "Read what you are asked to.", model = "mock/mock-1", tools = new[] { "http_fetch" } }, Cancellation);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));

        var root = _site.Root;
        var localhost = root.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        string[] urls = [$"{root}/pages/article", $"{root}/pages/around", $"{root}/pages/away", "http://169.254.169.254/latest/meta-data", $"{localhost}/pages/article", $"{root}/pages/binary"];
        var run = await AgentRuns.RunAsync(http, "reader", new { input = $"[[calls:{string.Join('|', urls.Select(url => $$"""http_fetch {"url":"{{url}}"}"""))}]] Read these." });

        var results = AgentRuns.Steps(run, "tool.result").Select(r => (Ok: r.GetProperty("ok").GetBoolean(), Result: r.GetProperty("result").GetString()!)).ToList();
        results.Count.ShouldBe(6);
        // The page as text: its title and body, without its script and style.
        results[0].Ok.ShouldBeTrue();
        results[0].Result.ShouldBe($"{root}/pages/article (text/html):\n# Tides\nHigh tide is at 06:12.");
        // A redirect on the allow-list is followed; one off it is not.
        results[1].Ok.ShouldBeTrue();
        results[1].Result.ShouldContain("High tide is at 06:12.");
        results[2].Ok.ShouldBeFalse();
        results[2].Result.ShouldContain($"redirected to '{localhost}/pages/article', whose host is not on the tenant's fetch allow-list");
        // On the allow-list, but a link-local address (the cloud's metadata endpoint): never connected to.
        results[3].Ok.ShouldBeFalse();
        results[3].Result.ShouldContain("169.254.169.254, where agents' tools may not go");
        results[4].Ok.ShouldBeFalse();
        results[4].Result.ShouldContain("The host 'localhost' is not on the tenant's fetch allow-list.");
        results[5].Ok.ShouldBeFalse();
        results[5].Result.ShouldContain("application/octet-stream, which is not text");
    }
}
