using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gateway.FunctionalTests;

public sealed class ExactCacheTests(PlatformFixture platform)
{
    [Fact]
    public async Task SameRequestTwice_SecondIsAHit_AndCallsNoProvider()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "cache" });
        var body = Chat($"cache me {Guid.NewGuid():N}");

        using var first = await PostAsync(key, body);
        var callsBefore = platform.MockOpenAi.Requests.Count;
        using var second = await PostAsync(key, body);

        Header(first, "x-cache").ShouldBe("miss");
        Header(second, "x-cache").ShouldBe("hit");
        platform.MockOpenAi.Requests.Count.ShouldBe(callsBefore, "a hit calls no provider");
        var a = await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var b = await second.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        b.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()
            .ShouldBe(a.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task AHit_StreamsWhenTheRequestStreams()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "cache-stream" });
        var marker = $"stream hit {Guid.NewGuid():N}";
        using var whole = await PostAsync(key, Chat(marker));

        using var streamed = await PostAsync(key, Chat(marker, stream: true));

        Header(streamed, "x-cache").ShouldBe("hit");
        streamed.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var events = (await streamed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events[^1].ShouldBe("data: [DONE]");
        string.Concat(events.SkipLast(1).Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)
            .SelectMany(e => e.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""))
            .ShouldBe($"mock: {marker}");
    }

    [Fact]
    public async Task ACachedAnswer_IsNeverServedToAnotherTenant()
    {
        var (_, first) = await platform.CreateTenantWithKeyAsync(new { name = "a" });
        var (_, second) = await platform.CreateTenantWithKeyAsync(new { name = "b" });
        var body = Chat($"mine {Guid.NewGuid():N}");
        using var warm = await PostAsync(first, body);
        using var hit = await PostAsync(first, body);

        using var other = await PostAsync(second, body);

        Header(hit, "x-cache").ShouldBe("hit");
        Header(other, "x-cache").ShouldBe("miss");
    }

    [Fact]
    public async Task NoStore_AndTheTenantSetting_BypassTheCache()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "bypass" });
        var body = Chat($"bypass {Guid.NewGuid():N}");
        using var warm = await PostAsync(key, body);

        using var noStore = await PostAsync(key, body, cacheControl: "no-store");
        using var admin = platform.CreateAdminClient();
        (await admin.PatchAsJsonAsync($"/api/v1/admin/tenants/{tenantId}", new { cacheEnabled = false }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        using var disabled = await PostAsync(key, body);

        Header(noStore, "x-cache").ShouldBe("bypass");
        Header(disabled, "x-cache").ShouldBe("bypass");
    }

    [Fact]
    public async Task DifferentOptions_AreDifferentEntries()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "options" });
        var marker = $"options {Guid.NewGuid():N}";
        using var cold = await PostAsync(key, Chat(marker));

        using var warmer = await PostAsync(key, $"{{\"model\":\"mock/mock-1\",\"temperature\":1.5,\"messages\":[{{\"role\":\"user\",\"content\":\"{marker}\"}}]}}");

        Header(warmer, "x-cache").ShouldBe("miss");
    }

    [Fact]
    public async Task AHit_IsMeteredAsAHit_WithoutCost()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "metered-hit" });
        var body = Chat($"metered {Guid.NewGuid():N}");
        using var miss = await PostAsync(key, body);
        using var hit = await PostAsync(key, body);

        var events = await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 2);

        events.Count.ShouldBe(2);
        events.Single(e => e.Cache == "miss").Cost.ShouldBeGreaterThan(0);
        var cached = events.Single(e => e.Cache == "hit");
        cached.Cost.ShouldBe(0);
        cached.StatusCode.ShouldBe(200);
    }

    private static string Chat(string content, bool stream = false) =>
        $"{{\"model\":\"mock/mock-1\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"{content}\"}}]}}";

    private async Task<HttpResponseMessage> PostAsync(string key, string body, string? cacheControl = null)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (cacheControl is not null)
        {
            http.DefaultRequestHeaders.CacheControl = CacheControlHeaderValue.Parse(cacheControl);
        }
        var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return response;
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();
}
