using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing;
using Microsoft.Playwright;
using Orchestrator;
using Platform.Catalog;
using Platform.Testing;
using Platform.Testing.Mocks;
using Platform.Vectors;

[assembly: AssemblyFixture(typeof(Portal.PortalFixture))]

namespace Portal;

/// <summary>
/// The whole platform with the portal, and Debian's Chromium driven by Playwright (no browser download). One mock
/// provider model streams its words 100 ms apart, so a test can watch an answer arrive token by token; another answers
/// at once, and follows the tool calls a message scripts (see <see cref="MockOpenAiServer"/>), for agents.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string StreamingModel = "mock/mock-stream";
    public const string AgentModel = "mock/mock-1";

    private IPlaywright? _playwright;

    public TestPlatform App { get; private set; } = null!;

    public MockOpenAiServer MockOpenAi { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri WebUrl => App.GetEndpoint("web");

    public Uri GatewayUrl => App.GetEndpoint("gateway");

    public string AdminKey { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        MockOpenAi = await MockOpenAiServer.StartAsync();
        MockOpenAi.WordDelays["mock-stream"] = TimeSpan.FromMilliseconds(100);
        var settings = new PlatformSettings()
            // The budgets test's webhook receiver listens on 127.0.0.1; webhooks reach no other private address.
            .Configure<BillingOptions>("Billing", billing => billing.WebhookAllowedNetworks = ["127.0.0.1/32"])
            // The agents test's MCP server listens on 127.0.0.1 too.
            .Configure<AgentOptions>("Agents", agents => agents.AllowedPrivateNetworks = ["127.0.0.1/32"])
            // The local model loaded when a test first embeds, not at every service's start.
            .Configure<LocalEmbeddingOptions>(LocalEmbeddingOptions.Section, embeddings => embeddings.WarmUp = false);
        settings.Providers["mock"] = new ProviderOptions
        {
            Kind = ProviderKinds.OpenAi,
            BaseUrl = MockOpenAi.BaseUrl,
            ApiKey = "sk-mock",
            Models =
            [
                new() { Id = "mock-stream", InputPricePerMillion = 2, OutputPricePerMillion = 4 },
                new() { Id = "mock-1", InputPricePerMillion = 1, OutputPricePerMillion = 2 },
            ],
        };
        // With the Aspire dashboard, which a test opens as a developer would.
        App = await TestPlatform.StartAsync(settings, dashboard: true);
        AdminKey = await App.GetParameterValueAsync("admin-key");

        _playwright = await Playwright.CreateAsync();
        // Assertions wait as long as actions do: the dashboard's first render of 16 resources on a busy 2-core machine
        // can take longer than Playwright's 5-second default.
        Assertions.SetDefaultExpectTimeout(30_000);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
        await MockOpenAi.DisposeAsync();
    }

    /// <summary>A fresh browser session (no cookies) on the portal, wide or narrow.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = WebUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A tenant and its admin, made through the admin API.</summary>
    public async Task<(Guid TenantId, string Email, string Password)> CreateTenantAdminAsync(string name)
    {
        using var admin = new HttpClient { BaseAddress = GatewayUrl };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var tenantName = $"{name}-{Guid.NewGuid():N}"[..24];
        var created = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name = tenantName, plan = "pro" });
        created.EnsureSuccessStatusCode();
        var tenantId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var email = $"{tenantName}@example.com";
        const string password = "correct horse battery staple";
        (await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/users", new { email, password })).EnsureSuccessStatusCode();
        return (tenantId, email, password);
    }

    /// <summary>A key of the tenant with these scopes, made through the admin API.</summary>
    public async Task<string> CreateKeyAsync(Guid tenantId, params string[] scopes)
    {
        using var admin = new HttpClient { BaseAddress = GatewayUrl };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var created = await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/keys", new { name = "test", scopes });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    /// <summary>Signs a tenant admin in through the sign-in page and waits for the overview.</summary>
    public async Task<IPage> SignInAsTenantAsync(string email, string password, int width = 1280, int height = 900)
    {
        var page = await NewPageAsync(width, height);
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=tenant-sign-in]");
        // A polling assertion: a navigation that lands between a waiter's URL check and its subscription is not missed.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^https?://[^/]+/$"));
        await Assertions.Expect(page.GetByTestId("plan")).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Signs an operator in with the admin key and waits for the operator's overview.</summary>
    public async Task<IPage> SignInAsOperatorAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#admin-key", AdminKey);
        await page.ClickAsync("[data-testid=operator-sign-in]");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Operator" })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Saves what the page shows as a test artifact: TestResults/Portal/screenshots/&lt;name&gt;.png.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "TestResults", "Portal", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        var image = await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.AddAttachment($"{name}.png", image, "image/png");
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Aspire.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? AppContext.BaseDirectory;
    }
}
