using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

namespace Gateway.FunctionalTests;

// Each service's own endpoint, called as the Gateway will call it: with a signed internal token.
public sealed class ServiceApiTests(PlatformFixture platform)
{
    [Fact]
    public async Task Ingestion_Documents_AreStoredPerTenant_AndDeduplicatedByContent()
    {
        var tenantA = Guid.NewGuid();
        using var a = platform.CreateTenantClient("ingestion", tenantA);
        using var b = platform.CreateTenantClient("ingestion", Guid.NewGuid());

        var first = await a.PostAsJsonAsync("/api/v1/ingestion/documents", new { name = "faq.md", text = "# FAQ\nOpen 9 to 5." }, TestContext.Current.CancellationToken);
        var again = await a.PostAsJsonAsync("/api/v1/ingestion/documents", new { name = "faq-copy.md", text = "# FAQ\nOpen 9 to 5." }, TestContext.Current.CancellationToken);

        first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var document = await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        document.GetProperty("status").GetString().ShouldBe("queued");
        var id = document.GetProperty("id").GetGuid();
        (await again.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetGuid().ShouldBe(id);
        (await a.GetFromJsonAsync<JsonElement[]>("/api/v1/ingestion/documents", TestContext.Current.CancellationToken))!.Length.ShouldBe(1);
        (await b.GetFromJsonAsync<JsonElement[]>("/api/v1/ingestion/documents", TestContext.Current.CancellationToken))!.ShouldBeEmpty();
        (await b.GetAsync($"/api/v1/ingestion/documents/{id}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Ingestion_BareTenantHeader_Is401()
    {
        using var http = platform.App.CreateHttpClient("ingestion");
        http.DefaultRequestHeaders.Add("X-Tenant-Id", Guid.NewGuid().ToString());

        var response = await http.GetAsync("/api/v1/ingestion/documents", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Ingestion_EmptyDocument_Is400_AndTooLarge_Is413()
    {
        using var http = platform.CreateTenantClient("ingestion", Guid.NewGuid());

        var empty = await http.PostAsJsonAsync("/api/v1/ingestion/documents", new { name = "x.txt", text = "" }, TestContext.Current.CancellationToken);
        var huge = await http.PostAsJsonAsync("/api/v1/ingestion/documents", new { name = "x.txt", text = new string('a', 10 * 1024 * 1024 + 1) }, TestContext.Current.CancellationToken);

        empty.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        huge.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Router_Policy_DefaultsThenUpdates_PerTenant()
    {
        using var a = platform.CreateTenantClient("router", Guid.NewGuid());
        using var b = platform.CreateTenantClient("router", Guid.NewGuid());
        (await a.GetFromJsonAsync<JsonElement>("/api/v1/router/policy", TestContext.Current.CancellationToken)).GetProperty("version").GetInt32().ShouldBe(0);

        var put = await a.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-1" }, lambda = 2.5, maxCostPerRequest = 0.01m }, TestContext.Current.CancellationToken);

        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        var policy = await a.GetFromJsonAsync<JsonElement>("/api/v1/router/policy", TestContext.Current.CancellationToken);
        policy.GetProperty("version").GetInt32().ShouldBe(1);
        policy.GetProperty("lambda").GetDouble().ShouldBe(2.5);
        policy.GetProperty("allowedModels")[0].GetString().ShouldBe("mock/mock-1");
        (await b.GetFromJsonAsync<JsonElement>("/api/v1/router/policy", TestContext.Current.CancellationToken)).GetProperty("version").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Router_Policy_Invalid_Is400()
    {
        using var http = platform.CreateTenantClient("router", Guid.NewGuid());

        var response = await http.PutAsJsonAsync("/api/v1/router/policy", new { lambda = -1, maxCostPerRequest = -5 }, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("errors");
        errors.TryGetProperty("lambda", out _).ShouldBeTrue();
        errors.TryGetProperty("maxCostPerRequest", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Billing_Plans_AreSeededByTheMigration()
    {
        using var http = platform.CreateOperatorClient("billing");

        var plans = (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/billing/plans", TestContext.Current.CancellationToken))!;

        plans.Select(p => p.GetProperty("id").GetString()).ShouldBe(["free", "pro", "enterprise"]);
        plans[2].GetProperty("requestsPerMinute").GetInt32().ShouldBeGreaterThanOrEqualTo(100_000);
    }

    [Fact]
    public async Task Billing_Plans_WithoutToken_Is401()
    {
        using var http = platform.App.CreateHttpClient("billing");

        (await http.GetAsync("/api/v1/billing/plans", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Orchestrator_Providers_ComeFromTheAppHostEnvironment_WithoutKeys()
    {
        using var http = platform.CreateOperatorClient("orchestrator");

        var body = await http.GetStringAsync("/api/v1/orchestrator/providers", TestContext.Current.CancellationToken);

        var mock = JsonDocument.Parse(body).RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "mock");
        mock.GetProperty("kind").GetString().ShouldBe("openai");
        mock.GetProperty("hasApiKey").GetBoolean().ShouldBeTrue();
        mock.GetProperty("models")[0].GetString().ShouldBe("mock-1");
        body.ShouldNotContain("sk-mock");
    }

    [Fact]
    public async Task Realtime_Sockets_TakeTheGatewaysTokenForAKey_AndAreCountedInRedis()
    {
        var endpoint = platform.App.GetEndpoint("realtime");
        using (var anonymous = new HttpClient())
        {
            (await anonymous.GetAsync(new Uri(endpoint, "/ws/chat"), TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        using var client = await RealtimeClient.ConnectAsync(endpoint, platform.Tokens.IssueForTenant(Guid.NewGuid(), Guid.NewGuid().ToString()), TestContext.Current.CancellationToken);
        var session = (await client.ReceiveAsync(TestContext.Current.CancellationToken))!.Value;
        using var sessions = platform.CreateOperatorClient("realtime");

        session.GetProperty("type").GetString().ShouldBe("session");
        (await sessions.GetFromJsonAsync<JsonElement>("/api/v1/realtime/sessions", TestContext.Current.CancellationToken)).GetProperty("active").GetInt64().ShouldBe(1);

        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(async () =>
            (await sessions.GetFromJsonAsync<JsonElement>("/api/v1/realtime/sessions", TestContext.Current.CancellationToken)).GetProperty("active").GetInt64() == 0,
            "the session to end");
    }
}
