using System.Net.Http.Headers;
using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class RoutingTests(PortalFixture portal)
{
    [Fact]
    public async Task TheRoutingPage_ShowsThePolicyTheTenantSetThroughTheApi()
    {
        var (tenantId, email, password) = await portal.CreateTenantAdminAsync("routing");
        using var http = new HttpClient { BaseAddress = portal.GatewayUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await portal.CreateKeyAsync(tenantId, "inference", "platform"));
        (await http.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { PortalFixture.StreamingModel }, lambda = 3.5, strategy = "cascade" }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var page = await portal.SignInAsTenantAsync(email, password);
        await page.GotoAsync("/routing");
        var policy = page.GetByTestId("policy");
        await Expect(policy).ToContainTextAsync(PortalFixture.StreamingModel);
        await Expect(policy).ToContainTextAsync("3.5");
        await Expect(policy).ToContainTextAsync("cascade");
        await PortalFixture.ScreenshotAsync(page, "routing-policy");
    }
}
