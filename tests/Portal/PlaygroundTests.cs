using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class PlaygroundTests(PortalFixture portal)
{
    [Fact]
    public async Task TheAnswer_StreamsTokenByToken_WithItsRouteTokensCostAndCacheStatus_AndTheCacheCanBeCleared()
    {
        var (_, email, password) = await portal.CreateTenantAdminAsync("play");
        var page = await portal.SignInAsTenantAsync(email, password);
        await page.GotoAsync("/playground");

        await page.GetByTestId("model").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = PortalFixture.StreamingModel }).ClickAsync();
        var question = $"Tell me about streaming {Guid.NewGuid():N}";
        await page.Locator("[data-testid=message]").FillAsync(question);
        // Record every length the answer shows while it streams.
        await page.EvaluateAsync("""
            () => {
                window.answerLengths = [];
                new MutationObserver(() => {
                    const answer = document.querySelector('[data-testid=streaming-answer]');
                    if (answer) window.answerLengths.push(answer.textContent.length);
                }).observe(document.body, { subtree: true, childList: true, characterData: true });
            }
            """);
        await page.ClickAsync("[data-testid=send]");

        await Expect(page.GetByTestId("answer")).ToContainTextAsync(question);
        var lengths = await page.EvaluateAsync<int[]>("() => window.answerLengths");
        lengths.Distinct().Count().ShouldBeGreaterThan(3, "the answer grew word by word on screen");
        await Expect(page.GetByTestId("route")).ToContainTextAsync(PortalFixture.StreamingModel);
        await Expect(page.GetByTestId("cache")).ToHaveTextAsync("miss");
        await Expect(page.GetByTestId("tokens")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ / \d+$"));
        await Expect(page.GetByTestId("cost")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\$0\.\d+$"));
        (int.Parse(await page.GetByTestId("token-count").TextContentAsync() ?? "0")).ShouldBeGreaterThan(3);
        await PortalFixture.ScreenshotAsync(page, "playground");

        // The answer is cached now; the overview clears it.
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("cache-contents")).ToContainTextAsync("1 exact");
        await page.ClickAsync("[data-testid=clear-cache]");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Expect(page.GetByTestId("cache-contents")).ToContainTextAsync("0 exact");
    }
}
