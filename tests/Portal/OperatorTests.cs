using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class OperatorTests(PortalFixture portal)
{
    [Fact]
    public async Task AnOperator_SeesHealthProvidersAndRecentErrors_AndDisablingATenantLocksItsKeysOut()
    {
        var (tenantId, email, password) = await portal.CreateTenantAdminAsync("ops");
        using var gateway = new HttpClient { BaseAddress = portal.GatewayUrl };
        var session = await gateway.PostAsJsonAsync("/api/v1/auth/sessions", new { email, password }, TestContext.Current.CancellationToken);
        session.StatusCode.ShouldBe(HttpStatusCode.Created);
        var key = (await session.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString();
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        // A tenant's mistake that operators should see.
        var missing = await gateway.PostAsJsonAsync("/v1/chat/completions",
            new { model = "mock/no-such-model", messages = new[] { new { role = "user", content = "hi" } } }, TestContext.Current.CancellationToken);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var page = await portal.SignInAsOperatorAsync();

        await page.GotoAsync("/operator/health");
        await Expect(page.GetByTestId("platform-status")).ToContainTextAsync("healthy");
        var gatewayRow = page.GetByTestId("resources").Locator("tr", new() { HasText = "gateway" }).First;
        await Expect(gatewayRow).ToContainTextAsync("healthy");
        await Expect(gatewayRow).ToContainTextAsync("http://");
        await PortalFixture.ScreenshotAsync(page, "operator-health");

        await page.GotoAsync("/operator/providers");
        var mock = page.GetByTestId("provider-mock");
        await Expect(mock).ToContainTextAsync("mock-stream");
        await Expect(mock).ToContainTextAsync("closed");
        await PortalFixture.ScreenshotAsync(page, "operator-providers");

        await page.GotoAsync("/operator/errors");
        var error = page.GetByTestId("errors").Locator("tr", new() { HasText = "model_not_found" }).First;
        await Expect(error).ToContainTextAsync("404");
        await Expect(error).ToContainTextAsync(tenantId.ToString()[..8]);
        await PortalFixture.ScreenshotAsync(page, "operator-errors");

        await page.GotoAsync("/operator/tenants");
        var tenantName = email.Split('@')[0];
        await page.ClickAsync($"[data-testid=toggle-{tenantName}]");
        await Expect(page.GetByTestId("tenants").Locator("tr", new() { HasText = tenantName })).ToContainTextAsync("disabled");
        var refused = await gateway.PostAsJsonAsync("/v1/chat/completions",
            new { model = PortalFixture.StreamingModel, messages = new[] { new { role = "user", content = "hi" } } }, TestContext.Current.CancellationToken);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken))
            .GetProperty("error").GetProperty("code").GetString().ShouldBe("tenant_disabled");
    }
}
