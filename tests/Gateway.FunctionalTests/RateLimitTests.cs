using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OpenAI.Chat;

namespace Gateway.FunctionalTests;

public sealed class RateLimitTests(PlatformFixture platform)
{
    private const string Chat = "{\"model\":\"local/local-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    [Fact]
    public async Task Responses_CarryOpenAisRateLimitHeaders()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "h", requestsPerMinute = 100, tokensPerMinute = 50_000 });

        using var response = await PostAsync(key, replica: 0);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(response, "x-ratelimit-limit-requests").ShouldBe("100");
        Header(response, "x-ratelimit-remaining-requests").ShouldBe("99");
        Header(response, "x-ratelimit-limit-tokens").ShouldBe("50000");
        int.Parse(Header(response, "x-ratelimit-remaining-tokens"), System.Globalization.CultureInfo.InvariantCulture).ShouldBeLessThan(50_000);
        Header(response, "x-ratelimit-reset-requests").ShouldMatch(@"^\d+(ms|s)$");
    }

    [Fact]
    public async Task OverTheRequestLimit_Is429_WithRetryAfter_ThroughTheSdk()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "r", requestsPerMinute = 2 });
        var chat = platform.CreateOpenAiClient(key, retries: false).GetChatClient("local/local-chat");
        await chat.CompleteChatAsync([new UserChatMessage("1")], cancellationToken: TestContext.Current.CancellationToken);
        await chat.CompleteChatAsync([new UserChatMessage("2")], cancellationToken: TestContext.Current.CancellationToken);

        var exception = await Should.ThrowAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("3")], cancellationToken: TestContext.Current.CancellationToken));

        exception.Status.ShouldBe(429);
        exception.Message.ShouldContain("rate_limit_exceeded");
        var headers = exception.GetRawResponse()!.Headers;
        headers.TryGetValue("Retry-After", out var retryAfter).ShouldBeTrue();
        int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 30);
        headers.TryGetValue("x-ratelimit-remaining-requests", out var remaining).ShouldBeTrue();
        remaining.ShouldBe("0");
    }

    [Fact]
    public async Task OverTheTokenLimit_Is429()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "t", tokensPerMinute = 100 });
        using var http = Client(key, replica: 0);

        using var response = await http.PostAsync("/v1/chat/completions",
            new StringContent("{\"model\":\"local/local-chat\",\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        Header(response, "x-ratelimit-limit-tokens").ShouldBe("100");
    }

    [Fact]
    public async Task TwoGatewayInstances_TogetherAdmitTheLimit_NotTwiceIt()
    {
        platform.App.GetReplicaEndpoints("gateway").Count.ShouldBe(2);
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "shared", requestsPerMinute = 10 });

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => PostAsync(key, replica: i % 2)));

        var statuses = string.Join(", ", responses.Select(r => (int)r.StatusCode));
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(10, statuses);
        responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests).ShouldBe(14, statuses);
        // Half went to each instance; each alone would have admitted ten.
        responses.Select(r => r.RequestMessage!.RequestUri!.Port).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task TenantLimit_IsSharedByItsKeys()
    {
        // The free plan allows 60 requests a minute per tenant, whatever each key allows.
        var (tenantId, first) = await platform.CreateTenantWithKeyAsync(new { name = "a", requestsPerMinute = 1000 }, plan: "free");
        using var admin = platform.CreateAdminClient();
        var second = await admin.PostAsync($"/api/v1/admin/tenants/{tenantId}/keys", new StringContent("{\"name\":\"b\",\"requestsPerMinute\":1000}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var secondKey = System.Text.Json.JsonDocument.Parse(await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("key").GetString()!;

        var started = Stopwatch.GetTimestamp();
        var responses = await Task.WhenAll(Enumerable.Range(0, 70).Select(i => PostAsync(i % 2 == 0 ? first : secondKey, replica: i % 2)));
        var elapsed = Stopwatch.GetElapsedTime(started);

        // The bucket refills one request a second while the burst runs, on a busy machine for a second or two;
        // were the limit per key, all 70 would pass.
        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        admitted.ShouldBeInRange(60, 60 + (int)Math.Ceiling(elapsed.TotalSeconds));
    }

    private async Task<HttpResponseMessage> PostAsync(string key, int replica)
    {
        using var http = Client(key, replica);
        return await http.PostAsync("/v1/chat/completions", new StringContent(Chat, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
    }

    private HttpClient Client(string key, int replica)
    {
        var http = new HttpClient { BaseAddress = platform.App.GetReplicaEndpoints("gateway")[replica] };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();
}
