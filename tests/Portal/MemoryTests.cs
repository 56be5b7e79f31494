using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.Testing;
using static Microsoft.Playwright.Assertions;

namespace Portal;

public sealed class MemoryTests(PortalFixture portal)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAgentWithMemory_RemembersAUser_TheMemoryPageShowsEveryTier_AndErasingForgetsThatUserOnly()
    {
        var (tenantId, email, password) = await portal.CreateTenantAdminAsync("memory");
        using var http = new HttpClient { BaseAddress = portal.GatewayUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await portal.CreateKeyAsync(tenantId, "inference", "platform"));
        var page = await portal.SignInAsTenantAsync(email, password);

        // The form's memory switch shows the settings at the API's defaults; the ones changed are saved.
        await page.GotoAsync("/agents");
        await page.ClickAsync("[data-testid=new-agent]");
        await page.Locator("[data-testid=agent-name]").FillAsync("concierge");
        await page.Locator("[data-testid=agent-instructions]").FillAsync("You remember what users tell you.");
        await page.GetByTestId("agent-model").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = PortalFixture.AgentModel, Exact = true }).ClickAsync();
        await page.GetByText("Memory: remember each user's").ClickAsync();
        await Expect(page.Locator("[data-testid=memory-conversation-tokens]")).ToHaveValueAsync("2000");
        await Expect(page.Locator("[data-testid=memory-recall-threshold]")).ToHaveValueAsync("0.35");
        await page.Locator("[data-testid=memory-conversation-hours]").FillAsync("48");
        await page.Locator("[data-testid=memory-recall-top]").FillAsync("5");
        await page.Locator("[data-testid=memory-recall-top]").BlurAsync();
        await PortalFixture.ScreenshotAsync(page, "agent-memory-settings");
        await page.ClickAsync("[data-testid=save-agent]");
        await Expect(page.GetByTestId("memory-concierge")).ToHaveTextAsync("on");
        var memory = (await http.GetFromJsonAsync<JsonElement>("/api/v1/orchestrator/agents/concierge", Cancellation)).GetProperty("definition").GetProperty("memory");
        (memory.GetProperty("conversationHours").GetInt32(), memory.GetProperty("recallTop").GetInt32(), memory.GetProperty("conversationTokens").GetInt32(), memory.GetProperty("tools").GetBoolean())
            .ShouldBe((48, 5, 2000, true));

        // Alice tells it a fact it keeps with its remember tool; Bob only says hello.
        await RunAsync(http, new { input = """[[calls:remember {"subject":"Alice","relation":"works at","object":"Contoso"}]] I work at Contoso.""", user = "alice", conversation = "work" });
        await RunAsync(http, new { input = "Hello.", user = "bob" });

        // The playground runs it for a user in a conversation too.
        await page.ClickAsync("[data-testid=agent-concierge]");
        await page.Locator("[data-testid=run-input]").FillAsync("My favourite colour is teal.");
        await page.Locator("[data-testid=run-user]").FillAsync("alice");
        await page.Locator("[data-testid=run-conversation]").FillAsync("trip");
        await page.ClickAsync("[data-testid=start-run]");
        await Expect(page.GetByTestId("run-state")).ToHaveTextAsync("succeeded");
        await Expect(page.GetByTestId("trace-memory.recalled")).ToContainTextAsync(new Regex(@"For\s*alice\s*in trip"));

        // The Memory page lists both users; Alice's memory shows all three tiers.
        await page.GetByRole(AriaRole.Link, new() { Name = "Memory", Exact = true }).ClickAsync();
        var users = page.GetByTestId("memory-users");
        await Expect(users.GetByRole(AriaRole.Row).Filter(new() { HasText = "alice" })).ToHaveTextAsync(new Regex(@"^\s*alice\s*3\s*1\s*\d{4}-"));
        await Expect(users.GetByRole(AriaRole.Row).Filter(new() { HasText = "bob" })).ToHaveTextAsync(new Regex(@"^\s*bob\s*1\s*0\s*\d{4}-"));
        await page.GetByTestId("memory-user-alice").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/memory\?user=alice$"));
        var work = page.GetByTestId("conversation-work");
        await Expect(work).ToContainTextAsync("concierge");
        await Expect(work.GetByTestId("conversation-turn")).ToHaveTextAsync([new Regex(@"^user:\s*\[\[calls:remember .*\]\] I work at Contoso\.$"), new Regex(@"^assistant:\s*mock: Remembered: Alice works at Contoso\.$")]);
        await Expect(page.GetByTestId("conversation-trip").GetByTestId("conversation-turn"))
            .ToHaveTextAsync([new Regex(@"^user:\s*My favourite colour is teal\.$"), new Regex(@"^assistant:\s*mock: My favourite colour is teal\.$")]);
        var entries = page.GetByTestId("memory-entries");
        await Expect(entries.GetByRole(AriaRole.Row).Filter(new() { HasText = "The user said: My favourite colour is teal." })).ToContainTextAsync("exchange");
        await Expect(entries.GetByRole(AriaRole.Row).Filter(new() { HasTextRegex = new Regex(@"^\s*fact") })).ToHaveTextAsync(new Regex(@"concierge\s*Alice works at Contoso"));
        await Expect(page.GetByTestId("memory-facts")).ToContainTextAsync(new Regex(@"Alice\s*works_at\s*Contoso"));
        await PortalFixture.ScreenshotAsync(page, "memory");

        // Erased after a confirmation: the counts of each tier, then nothing of Alice, and Bob as he was.
        await page.ClickAsync("[data-testid=erase-memory]");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("memory-erased")).ToContainTextAsync("alice: 2 conversations, 3 memories, 2 entities and 1 fact.");
        await Expect(users).Not.ToContainTextAsync("alice");
        await Expect(users).ToContainTextAsync("bob");
        await Expect(page.GetByTestId("memory-conversations")).ToHaveTextAsync("No conversation is going on.");
        await Expect(page.GetByTestId("memory-entries")).ToContainTextAsync("No memories.");
        await Expect(page.GetByTestId("memory-facts")).ToContainTextAsync("No facts.");
        var alice = await http.GetFromJsonAsync<JsonElement>("/v1/agents/memory/users/alice", Cancellation);
        alice.GetProperty("conversations").GetArrayLength().ShouldBe(0);
        alice.GetProperty("memories").GetArrayLength().ShouldBe(0);
        alice.GetProperty("facts").GetArrayLength().ShouldBe(0);
        (await http.GetFromJsonAsync<JsonElement>("/v1/agents/memory/users", Cancellation)).GetProperty("data").EnumerateArray()
            .Select(u => u.GetProperty("user").GetString()).ShouldBe(["bob"]);

        // A user typed in is looked up.
        await page.Locator("[data-testid=memory-lookup]").FillAsync("bob");
        await page.ClickAsync("[data-testid=memory-look-up]");
        await Expect(page.GetByTestId("memory-user")).ToHaveTextAsync("bob");
        await Expect(page.GetByTestId("memory-entries")).ToContainTextAsync("The user said: Hello.");
    }

    /// <summary>Runs the agent through the runs API and waits for it to succeed.</summary>
    private static async Task RunAsync(HttpClient http, object body)
    {
        using var started = await http.PostAsJsonAsync("/v1/agents/concierge/runs", body, Cancellation);
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync(Cancellation));
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
        var state = await Eventually.GetAsync(async () =>
        {
            var current = (await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{id}", Cancellation)).GetProperty("state").GetString();
            return current is "succeeded" or "failed" or "cancelled" ? current : null;
        }, TimeSpan.FromSeconds(90));
        state.ShouldBe("succeeded");
    }
}
