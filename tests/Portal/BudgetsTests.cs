using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Platform.Testing.Mocks;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class BudgetsTests(PortalFixture portal)
{
    [Fact]
    public async Task ABudgetSetInThePortal_AlertsThroughItsWebhook_WithTheSecretItShowed_AndAPrivateAddressIsRefused()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (tenantId, email, password) = await portal.CreateTenantAdminAsync("budgets");
        var page = await portal.SignInAsTenantAsync(email, password);
        await page.GotoAsync("/budgets");
        // The page's own loading done first, so it cannot land after the save and show the list from before it.
        await Expect(page.GetByTestId("budgets")).ToContainTextAsync("No budgets");

        var limit = page.Locator("[data-testid=budget-limit]");
        await limit.FillAsync("0.0002");
        await limit.BlurAsync();
        await Expect(limit).ToHaveValueAsync("0.0002");
        await page.ClickAsync("[data-testid=save-budget]");
        await Expect(page.GetByTestId("error")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("budgets")).ToContainTextAsync("$0.0002");

        await Expect(page.GetByTestId("webhook-url")).ToContainTextAsync("not sent anywhere");
        await page.Locator("[data-testid=webhook-input]").FillAsync("http://169.254.169.254/latest/meta-data/");
        await page.ClickAsync("[data-testid=save-webhook]");
        await Expect(page.GetByTestId("error")).ToContainTextAsync("where webhooks may not go");
        await page.Locator("[data-testid=webhook-input]").FillAsync(receiver.Url);
        await page.ClickAsync("[data-testid=save-webhook]");
        await Expect(page.GetByTestId("webhook-secret")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^whsec_"));
        var secret = (await page.GetByTestId("webhook-secret").TextContentAsync())!.Trim();
        await Expect(page.GetByTestId("webhook-url")).ToContainTextAsync(receiver.Url);

        // One request of about twice the budget (the mock answers a word a token): 50, 80 and 100 % are crossed.
        using var http = new HttpClient { BaseAddress = portal.GatewayUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await portal.CreateKeyAsync(tenantId, "inference"));
        var words = string.Join(' ', Enumerable.Repeat("a", 100));
        (await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = PortalFixture.StreamingModel,
            max_tokens = 5,
            messages = new[] { new { role = "user", content = words } },
        }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        // Billing meters, alerts and delivers within moments: reload until the alerts say so.
        var alerts = page.GetByTestId("alerts");
        for (var attempt = 0; attempt < 60 && (await alerts.TextContentAsync() ?? "").Split("delivered").Length - 1 < 3; attempt++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            await page.ReloadAsync();
            await Expect(page.GetByTestId("webhook-url")).ToContainTextAsync("POSTed");
        }
        await Expect(alerts).ToContainTextAsync("100 %");
        await Expect(alerts).ToContainTextAsync("50 %");
        (await alerts.TextContentAsync() ?? "").Split("delivered after 1 attempt").Length.ShouldBe(4);
        await PortalFixture.ScreenshotAsync(page, "budgets-alerts");

        // What arrived was signed with the secret the portal showed once.
        receiver.Attempts.Count.ShouldBe(3);
        foreach (var delivery in receiver.Attempts)
        {
            var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{delivery.Timestamp}.{delivery.Body}")));
            delivery.Signature.ShouldBe($"v1={signature}");
        }

        // The month's invoice preview has the request on its usage line.
        await page.GotoAsync("/invoice");
        await Expect(page.GetByTestId("invoice-lines")).ToContainTextAsync($"{PortalFixture.StreamingModel}: 7 input and 101 output tokens");
    }
}
