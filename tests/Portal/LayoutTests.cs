using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class LayoutTests(PortalFixture portal)
{
    [Fact]
    public async Task OnANarrowScreen_TheMenuFolds_AndThePagesStillWork()
    {
        var (_, email, password) = await portal.CreateTenantAdminAsync("narrow");
        var page = await portal.SignInAsTenantAsync(email, password, width: 390, height: 844);

        // The menu is folded away until asked for. Until the drawer has heard the screen's width, CSS hides it while it
        // still counts as open (a click then would fold it); a loaded machine is slow to tell it.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "API keys" })).Not.ToBeInViewportAsync();
        await Expect(page.Locator(".mud-drawer")).ToHaveClassAsync(new Regex("mud-drawer--closed"));
        await page.ClickAsync("[data-testid=menu]");
        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/keys$"));
        await Expect(page.Locator("[data-testid=key-name]")).ToBeVisibleAsync();
        // Following a link folds the menu again.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "API keys" })).Not.ToBeInViewportAsync();
        // No horizontal scrolling on a phone.
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).ShouldBeTrue();
        await PortalFixture.ScreenshotAsync(page, "narrow-keys");
    }
}
