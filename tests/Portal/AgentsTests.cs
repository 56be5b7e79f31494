using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.Testing.Mocks;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class AgentsTests(PortalFixture portal)
{
    [Fact]
    public async Task AnAgent_IsCreatedEditedAndRunInThePlayground_WithTheTraceOfItsSteps_AndARefusalShowsAtItsField()
    {
        var (_, email, password) = await portal.CreateTenantAdminAsync("agents");
        var page = await portal.SignInAsTenantAsync(email, password);
        await page.GotoAsync("/agents");
        await Expect(page.GetByTestId("agents")).ToContainTextAsync("No agents yet.");

        // The API's validation message shows at the field it is about.
        await page.ClickAsync("[data-testid=new-agent]");
        await page.Locator("[data-testid=agent-name]").FillAsync("my agent");
        await page.Locator("[data-testid=agent-instructions]").FillAsync("You do arithmetic with the calculator.");
        await page.ClickAsync("[data-testid=save-agent]");
        await Expect(page.GetByText("A name is 1 to 64 lowercase letters")).ToBeVisibleAsync();

        await page.Locator("[data-testid=agent-name]").FillAsync("arithmetic");
        await page.GetByTestId("agent-model").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = PortalFixture.AgentModel, Exact = true }).ClickAsync();
        await page.GetByTestId("agent-tools").ClickAsync();
        await PickAsync(page, "calculator");
        await page.ClickAsync("[data-testid=save-agent]");
        await Expect(page.GetByTestId("version-arithmetic")).ToHaveTextAsync("v1");
        await Expect(page.GetByTestId("agents")).ToContainTextAsync(PortalFixture.AgentModel);
        await Expect(page.GetByTestId("agents")).ToContainTextAsync("calculator");
        // Saved without memory, which the switch left off.
        await Expect(page.GetByTestId("memory-arithmetic")).ToHaveTextAsync("off");
        await PortalFixture.ScreenshotAsync(page, "agents");

        // A new version of its instructions; the first stays in the history.
        await page.ClickAsync("[data-testid=agent-arithmetic]");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Edit" }).ClickAsync();
        await page.Locator("[data-testid=agent-instructions]").FillAsync("You do arithmetic with the calculator, and say the number.");
        await page.ClickAsync("[data-testid=save-agent]");
        await Expect(page.GetByTestId("agent-version")).ToHaveTextAsync("v2");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Versions" }).ClickAsync();
        var versions = page.GetByTestId("versions");
        await Expect(versions).ToContainTextAsync("v2");
        await versions.GetByRole(AriaRole.Row).Filter(new() { HasText = "v1" }).ClickAsync();
        await Expect(page.GetByTestId("definition-instructions")).ToHaveTextAsync("You do arithmetic with the calculator.");
        await Expect(page.GetByTestId("definition-memory")).ToHaveTextAsync("off");

        // Run: the mock model calls the calculator, then answers with its result.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Playground" }).ClickAsync();
        await page.Locator("[data-testid=run-input]").FillAsync("""[[calls:calculator {"expression":"6*7"}]] What is six times seven?""");
        await page.ClickAsync("[data-testid=start-run]");
        await Expect(page.GetByTestId("run-state")).ToHaveTextAsync("succeeded");
        await Expect(page.GetByTestId("run-answer")).ToHaveTextAsync("mock: 42");
        var trace = page.GetByTestId("trace");
        await Expect(trace.GetByTestId("trace-tool.call")).ToContainTextAsync("""calculator({"expression":"6*7"})""");
        await Expect(trace.GetByTestId("tool-result")).ToHaveTextAsync("42");
        await Expect(trace.GetByTestId("trace-model.step")).ToHaveCountAsync(2);
        await Expect(trace.GetByTestId("trace-run.succeeded")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("run-cost")).ToHaveTextAsync(new Regex(@"^\$0\.\d*[1-9]\d*$"));
        await PortalFixture.ScreenshotAsync(page, "agent-run");

        // The run is listed; opened again, it shows its stored steps.
        var runs = page.GetByTestId("runs");
        await Expect(runs).ToContainTextAsync("succeeded");
        await runs.GetByRole(AriaRole.Row).Filter(new() { HasText = "succeeded" }).ClickAsync();
        await Expect(trace.GetByTestId("trace-run.started")).ToContainTextAsync("arithmetic v2");
        await Expect(trace.GetByTestId("tool-result")).ToHaveTextAsync("42");
    }

    [Fact]
    public async Task AnMcpServer_IsRegisteredWithItsTools_AnAddressNotAllowedIsRefused_AndARunWaitingOnItsToolIsCancelled()
    {
        await using var tools = await TestMcpServer.StartAsync();
        tools.RequiredBearer = "tool-secret";
        var (_, email, password) = await portal.CreateTenantAdminAsync("mcp");
        var page = await portal.SignInAsTenantAsync(email, password);
        await page.GotoAsync("/mcp-servers");
        await Expect(page.GetByTestId("no-servers")).ToBeVisibleAsync();

        await page.Locator("[data-testid=server-name]").FillAsync("inside");
        await page.Locator("[data-testid=server-url]").FillAsync("http://10.0.0.1/mcp");
        await page.ClickAsync("[data-testid=register-server]");
        await Expect(page.GetByTestId("error")).ToContainTextAsync("private, loopback, link-local or reserved");

        await page.Locator("[data-testid=server-name]").FillAsync("tools");
        await page.Locator("[data-testid=server-url]").FillAsync(tools.Endpoint.ToString());
        await page.Locator("[data-testid=server-header-name]").FillAsync("Authorization");
        await page.Locator("[data-testid=server-header-value]").FillAsync("Bearer tool-secret");
        await page.ClickAsync("[data-testid=register-server]");
        var server = page.GetByTestId("server-tools");
        await Expect(server).ToContainTextAsync("get_weather");
        await Expect(server.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText("charge", new() { Exact = true }) })).ToContainTextAsync("$0.01");
        await Expect(server).ToContainTextAsync("headers: Authorization");
        await Expect(page.GetByTestId("error")).ToHaveCountAsync(0);
        await PortalFixture.ScreenshotAsync(page, "mcp-servers");

        // Its tools are offered to agents.
        await page.GotoAsync("/agents");
        await page.ClickAsync("[data-testid=new-agent]");
        await page.Locator("[data-testid=agent-name]").FillAsync("waiter");
        await page.Locator("[data-testid=agent-instructions]").FillAsync("You wait when asked to.");
        await page.GetByTestId("agent-model").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = PortalFixture.AgentModel, Exact = true }).ClickAsync();
        await page.GetByTestId("agent-tools").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Option, new() { Name = "mcp:tools/*", Exact = true })).ToBeVisibleAsync();
        await PickAsync(page, "mcp:tools/wait_for_release");
        await page.ClickAsync("[data-testid=save-agent]");
        await Expect(page.GetByTestId("version-waiter")).ToHaveTextAsync("v1");

        // A run waiting on its tool is cancelled from the page.
        var token = Guid.NewGuid().ToString("N");
        try
        {
            await page.ClickAsync("[data-testid=agent-waiter]");
            await page.Locator("[data-testid=run-input]").FillAsync($$"""[[calls:tools__wait_for_release {"token":"{{token}}"}]] Wait.""");
            await page.ClickAsync("[data-testid=start-run]");
            await tools.WaitingAsync(token).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            await Expect(page.GetByTestId("trace-tool.call")).ToContainTextAsync("tools__wait_for_release");
            await page.ClickAsync("[data-testid=cancel-run]");
            await Expect(page.GetByTestId("run-state")).ToHaveTextAsync("cancelled");
            await Expect(page.GetByTestId("run-error")).ToContainTextAsync("cancelled");
            await Expect(page.GetByTestId("trace-run.cancelled")).ToBeVisibleAsync();
        }
        finally
        {
            tools.Release(token);
        }
    }

    /// <summary>Picks an option of the open multi-select and closes it, once the portal has taken the choice.</summary>
    private static async Task PickAsync(IPage page, string option)
    {
        var item = page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true });
        await item.ClickAsync();
        await Expect(item).ToHaveAttributeAsync("aria-selected", "true");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Listbox)).ToBeHiddenAsync();
    }
}
