using System.ClientModel;
using Microsoft.Playwright;
using OpenAI;
using OpenAI.Chat;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class KeysTests(PortalFixture portal)
{
    [Fact]
    public async Task AKeyMadeInThePortal_WorksWithTheSdk_ShowsInTheUsageChart_AndIsRefusedOnceRevoked()
    {
        var (_, email, password) = await portal.CreateTenantAdminAsync("keys");
        var page = await portal.SignInAsTenantAsync(email, password);

        await page.GotoAsync("/keys");
        await page.Locator("[data-testid=key-name]").FillAsync("sdk-key");
        await page.ClickAsync("[data-testid=create-key]");
        var secret = (await page.GetByTestId("new-key-secret").TextContentAsync())!.Trim();
        secret.ShouldStartWith("sk-aip-");
        await Expect(page.GetByTestId("keys")).ToContainTextAsync("sdk-key");
        await PortalFixture.ScreenshotAsync(page, "keys-created");

        var chat = new OpenAIClient(new ApiKeyCredential(secret), new OpenAIClientOptions { Endpoint = new Uri(portal.GatewayUrl, "v1") })
            .GetChatClient(PortalFixture.StreamingModel);
        var answer = await chat.CompleteChatAsync([new UserChatMessage("Hello from the SDK")], cancellationToken: TestContext.Current.CancellationToken);
        answer.Value.Content[0].Text.ShouldContain("Hello from the SDK");

        // Analytics folds the request in within moments: refresh until the chart's totals show it.
        await page.GotoAsync("/usage");
        await Expect(page.GetByTestId("requests-chart")).ToBeVisibleAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await page.GetByTestId("total-requests").TextContentAsync() == "0" && DateTime.UtcNow < deadline)
        {
            await page.WaitForTimeoutAsync(500);
            await page.ClickAsync("[data-testid=refresh]");
        }
        await Expect(page.GetByTestId("total-requests")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("usage-table")).ToContainTextAsync(PortalFixture.StreamingModel);
        await Expect(page.Locator("[data-testid=requests-chart] svg path").First).ToBeAttachedAsync();
        await PortalFixture.ScreenshotAsync(page, "usage-chart");

        await page.GotoAsync("/keys");
        await page.ClickAsync("[data-testid=revoke-sdk-key]");
        // The confirmation's own button, not the row's.
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(page.GetByTestId("keys")).ToContainTextAsync("revoked");
        await PortalFixture.ScreenshotAsync(page, "keys-revoked");

        var refused = await Should.ThrowAsync<ClientResultException>(() =>
            chat.CompleteChatAsync([new UserChatMessage("Hello again")], cancellationToken: TestContext.Current.CancellationToken));
        refused.Status.ShouldBe(401);
    }
}
