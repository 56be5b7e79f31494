using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class SignInTests(PortalFixture portal)
{
    [Fact]
    public async Task AnOperator_CreatesATenantAndItsAdmin_WhoSignsIn_AndOut()
    {
        var operatorPage = await portal.SignInAsOperatorAsync();

        var tenantName = $"acme-{Guid.NewGuid():N}"[..16];
        var email = $"{tenantName}@example.com";
        await operatorPage.GotoAsync("/operator/tenants");
        await operatorPage.Locator("[data-testid=tenant-name]").FillAsync(tenantName);
        await operatorPage.ClickAsync("[data-testid=create-tenant]");
        await Expect(operatorPage.GetByTestId("tenants")).ToContainTextAsync(tenantName);
        // The new tenant is chosen for its first admin.
        await operatorPage.GetByLabel("Email").FillAsync(email);
        await operatorPage.GetByLabel("Password (12+ characters)").FillAsync("a long enough password");
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Create admin" }).ClickAsync();
        await Expect(operatorPage.GetByText($"{email} can now sign in.")).ToBeVisibleAsync();
        await PortalFixture.ScreenshotAsync(operatorPage, "operator-tenants");

        var wrong = await portal.NewPageAsync();
        await wrong.GotoAsync("/account/sign-in");
        await wrong.FillAsync("#email", email);
        await wrong.FillAsync("#password", "not the password");
        await wrong.ClickAsync("[data-testid=tenant-sign-in]");
        await Expect(wrong.GetByTestId("sign-in-error")).ToBeVisibleAsync();

        var page = await portal.SignInAsTenantAsync(email, "a long enough password");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = tenantName })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync(email);
        await PortalFixture.ScreenshotAsync(page, "tenant-overview");
        // A tenant admin is not an operator.
        await page.GotoAsync("/operator/tenants");
        await Expect(page.GetByText("This page is for another role.")).ToBeVisibleAsync();

        await page.GotoAsync("/");
        await page.ClickAsync("[data-testid=sign-out]");
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-in(\\?.*)?$"));
        await page.GotoAsync("/keys");
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-in(\\?.*)?$"));
    }
}
