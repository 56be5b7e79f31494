using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using static Microsoft.Playwright.Assertions;

namespace Portal;

// The Aspire dashboard is the developer's window on the running platform.
public sealed class AspireDashboardTests(PortalFixture portal)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dashboard_ShowsEveryResourceRunningAndHealthy()
    {
        var page = await portal.NewPageAsync(1600, 1200);
        await page.GotoAsync((await portal.App.Application.GetDashboardUrlAsync(Cancellation)).ToString());

        var resources = portal.App.Resources.Where(r => r is ProjectResource or IResourceWithConnectionString).Select(r => r.Name).ToList();
        resources.Count.ShouldBe(17, "postgres, six databases, redis, nats and eight services");
        foreach (var name in resources)
        {
            var row = page.Locator("tr.resource-row", new() { Has = page.Locator(".resource-name-text", new() { HasTextRegex = new Regex($"^{name}$") }) });
            var state = row.Locator("td[col-index='2']");
            // Running, with the success mark that only a healthy resource gets (an unhealthy one shows a warning).
            await Expect(state).ToHaveAttributeAsync("aria-label", "Running");
            await Expect(state.Locator(".severity-icon")).ToHaveAttributeAsync("style", new Regex("--success"));
        }
        await PortalFixture.ScreenshotAsync(page, "aspire-resources");
    }

    [Fact]
    public async Task ChatRequest_IsOneTrace_FromTheGatewayThroughRouterAndOrchestrator_ToBillingAndAnalytics()
    {
        var (tenantId, _, _) = await portal.CreateTenantAdminAsync("traced");
        var key = await portal.CreateKeyAsync(tenantId, "inference");
        // The caller starts the trace, as an instrumented application would, so the test knows which one to look for.
        var traceId = ActivityTraceId.CreateRandom();
        using var http = new HttpClient { BaseAddress = portal.GatewayUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            // Routed, so the Router takes part.
            Content = JsonContent.Create(new { model = "auto", messages = new[] { new { role = "user", content = $"trace me {Guid.NewGuid():N}" } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await http.SendAsync(request, Cancellation)).EnsureSuccessStatusCode();

        var page = await portal.NewPageAsync(1600, 1200);
        await page.GotoAsync((await portal.App.Application.GetDashboardUrlAsync(Cancellation)).ToString());
        await page.GotoAsync($"{new Uri(page.Url).GetLeftPart(UriPartial.Authority)}/traces/detail/{traceId}");

        // Spans are named "<resource>: <operation>"; the trace's spans are found through the dashboard's own filter, since
        // a long trace's rows are drawn only when scrolled to.
        (string Filter, string Span)[] expected =
        [
            ("completions", "gateway: POST v1/chat/completions"),
            ("decide", "router: POST api/v1/router/decide"),
            ("internal", "orchestrator: POST internal/v1/chat/"),
            // The model call, with OpenTelemetry's GenAI conventions ("chat <model>").
            ("chat", "orchestrator: chat "),
            // The usage event, consumed from JetStream with the trace context its headers carry.
            ("receive", "billing: MSG nats receive"),
            ("receive", "analytics: MSG nats receive"),
        ];
        var filter = page.Locator("input[name=spans-search]");
        foreach (var (text, span) in expected)
        {
            await filter.FillAsync(text);
            await Expect(page.Locator($"td[aria-label^='{span}']").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        }
        await filter.FillAsync("");
        await PortalFixture.ScreenshotAsync(page, "aspire-trace");
    }
}
