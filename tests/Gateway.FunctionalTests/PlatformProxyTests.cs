using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

namespace Gateway.FunctionalTests;

// The tenant's platform APIs through the Gateway's one edge, with the tenant key only.
public sealed class PlatformProxyTests(PlatformFixture platform)
{
    [Fact]
    public async Task Ingestion_ThroughTheGateway_IsTheTenantsOwn()
    {
        var (_, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "proxy-a" });
        var (_, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "proxy-b" });
        using var a = Client(keyA);
        using var b = Client(keyB);

        var uploaded = await a.PostAsJsonAsync("/api/v1/ingestion/documents", new { name = "notes.md", text = "through the edge" }, TestContext.Current.CancellationToken);

        uploaded.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await a.GetFromJsonAsync<JsonElement[]>("/api/v1/ingestion/documents", TestContext.Current.CancellationToken))!.Single().GetProperty("name").GetString().ShouldBe("notes.md");
        (await b.GetFromJsonAsync<JsonElement[]>("/api/v1/ingestion/documents", TestContext.Current.CancellationToken))!.ShouldBeEmpty();
    }

    [Fact]
    public async Task RouterAndBilling_ThroughTheGateway()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "proxy-c" });
        using var http = Client(key);

        var policy = await http.GetFromJsonAsync<JsonElement>("/api/v1/router/policy", TestContext.Current.CancellationToken);
        var plans = await http.GetFromJsonAsync<JsonElement[]>("/api/v1/billing/plans", TestContext.Current.CancellationToken);

        policy.GetProperty("version").GetInt32().ShouldBe(0);
        plans!.Length.ShouldBe(3);
    }

    [Fact]
    public async Task WithoutAKey_Is401_AsProblemDetails()
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Add("X-Tenant-Id", Guid.NewGuid().ToString());

        var response = await http.GetAsync("/api/v1/ingestion/documents", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task AnInferenceOnlyKey_Is403_OnPlatformApis()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "inference-only", scopes = new[] { "inference" } });
        using var http = Client(key);

        (await http.GetAsync("/api/v1/ingestion/documents", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OperatorEndpoints_StayClosedToTenantKeys()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "not-operator" });
        using var http = Client(key);

        (await http.GetAsync($"/api/v1/analytics/diagnostics/pings/{Guid.NewGuid()}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await http.GetAsync("/internal/v1/chat", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WebSockets_AreProxiedToRealtime()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws" });
        using var client = await RealtimeClient.ConnectAsync(platform.App.GetEndpoint("gateway"), key, TestContext.Current.CancellationToken);

        var session = (await client.ReceiveAsync(TestContext.Current.CancellationToken))!.Value;

        session.GetProperty("type").GetString().ShouldBe("session");
        session.GetProperty("session_id").GetString().ShouldNotBeNullOrEmpty();
        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WebSockets_NeedTheInferenceScope()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "ws-platform-only", scopes = new[] { "platform" } });
        using var client = await RealtimeClient.ConnectAsync(platform.App.GetEndpoint("gateway"), key, TestContext.Current.CancellationToken);

        var error = (await client.ReceiveAsync(TestContext.Current.CancellationToken))!.Value;

        error.GetProperty("status").GetInt32().ShouldBe(403);
        (await client.ReceiveAsync(TestContext.Current.CancellationToken)).ShouldBeNull();
        ((int?)client.Socket.CloseStatus).ShouldBe(1008);
    }

    private HttpClient Client(string key)
    {
        var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
