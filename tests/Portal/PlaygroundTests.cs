using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class PlaygroundTests(PortalFixture portal)
{
    [Fact]
    public async Task TheAnswer_StreamsTokenByTokenOverTheLiveSocket_WithItsRouteTokensCostAndCacheStatus_AndTheCacheCanBeCleared()
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
        // Streamed over /ws/chat: the page holds a live session.
        await Expect(page.GetByTestId("session")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{32}$"));
        await PortalFixture.ScreenshotAsync(page, "playground");

        // The answer is cached now; the overview clears it.
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("cache-contents")).ToContainTextAsync("1 exact");
        await page.ClickAsync("[data-testid=clear-cache]");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Expect(page.GetByTestId("cache-contents")).ToContainTextAsync("0 exact");
    }

    [Fact]
    public async Task Stop_CancelsTheAnswerOnTheSocket_AndTheNextQuestionIsAnswered()
    {
        var (_, email, password) = await portal.CreateTenantAdminAsync("play-stop");
        var page = await portal.SignInAsTenantAsync(email, password);
        await page.GotoAsync("/playground");
        await page.GetByTestId("model").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = PortalFixture.StreamingModel }).ClickAsync();

        // A hundred words at 100 ms each: ten seconds, stopped after the first few.
        await page.Locator("[data-testid=message]").FillAsync(string.Join(' ', Enumerable.Range(0, 100).Select(i => $"word{i}")));
        await page.ClickAsync("[data-testid=send]");
        await Expect(page.GetByTestId("streaming-answer")).ToContainTextAsync("word2");
        await page.ClickAsync("[data-testid=stop]");

        await Expect(page.GetByTestId("answer").Last).ToContainTextAsync("[stopped]");
        (await page.GetByTestId("answer").Last.TextContentAsync())!.ShouldNotContain("word99");
        await page.Locator("[data-testid=message]").FillAsync("and now?");
        await page.ClickAsync("[data-testid=send]");
        await Expect(page.GetByTestId("answer").Last).ToContainTextAsync("mock: and now?");
    }
}
