using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using OpenAI.Chat;

namespace Usage.FunctionalTests;

public sealed class UsageEventTests(PlatformFixture platform)
{
    [Fact]
    public async Task EveryRequest_EmitsExactlyOneUsageEvent_WithTokensCostAndTrace()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "metered", requestsPerMinute = 2 });
        var chat = platform.CreateOpenAiClient(key, retries: false).GetChatClient("mock/mock-1");

        await chat.CompleteChatAsync([new UserChatMessage("one two")], cancellationToken: TestContext.Current.CancellationToken);
        var streamed = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("three four five")], cancellationToken: TestContext.Current.CancellationToken))
        {
            streamed++;
        }
        using var unknown = await PostAsync(key, "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        using var limited = await PostAsync(key, "{\"model\":\"mock/mock-1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        var events = await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 4);

        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        events.Count.ShouldBe(4);
        events.Select(e => e.Id).Distinct().Count().ShouldBe(4);
        events.ShouldAllBe(e => e.Endpoint == "chat.completions" && e.TraceId != null);

        var whole = events.Single(e => e.StatusCode == 200 && !e.Stream);
        whole.Model.ShouldBe("mock/mock-1");
        whole.Provider.ShouldBe("mock");
        whole.InputTokens.ShouldBe(7);
        whole.OutputTokens.ShouldBe(3);
        whole.Cost.ShouldBe((7 * 1m + 3 * 2m) / 1_000_000m);
        whole.LatencyMs.ShouldBeGreaterThan(0);

        var stream = events.Single(e => e.StatusCode == 200 && e.Stream);
        stream.InputTokens.ShouldBe(7, "true counts on a stream, even though the client may not have asked");
        stream.OutputTokens.ShouldBe(4);

        events.Single(e => e.StatusCode == 404).ErrorCode.ShouldBe("model_not_found");
        events.Single(e => e.StatusCode == 429).ErrorCode.ShouldBe("rate_limit_exceeded");
    }

    [Fact]
    public async Task Streaming_WithoutUsageAsked_StillMetersTrueTokens()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "stream" });

        using var response = await PostAsync(key, "{\"model\":\"mock/mock-1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"}]}");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        body.ShouldNotContain("\"usage\"");
        var usage = (await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 1)).Single();
        usage.InputTokens.ShouldBe(7);
        usage.OutputTokens.ShouldBe(4);
    }

    [Fact]
    public async Task WhileNatsIsDown_EventsWaitInTheOutbox_AndArriveWhenItIsBack()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "outbox" });
        await platform.App.StopResourceAsync("nats");
        try
        {
            for (var i = 0; i < 3; i++)
            {
                using var response = await PostAsync(key, "{\"model\":\"local/local-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"while nats is down\"}]}");
                response.StatusCode.ShouldBe(HttpStatusCode.OK, "serving does not depend on NATS");
            }
            await Eventually.TrueAsync(async () => await OutboxCountAsync(tenantId) == 3, "three events in the outbox", TimeSpan.FromSeconds(20));
        }
        finally
        {
            await platform.App.StartResourceAsync("nats");
        }

        var events = await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 3, TimeSpan.FromSeconds(60));
        events.Count.ShouldBe(3);
        events.ShouldAllBe(e => e.StatusCode == 200 && e.Model == "local/local-chat");
        (await OutboxCountAsync(tenantId)).ShouldBe(0);
        foreach (var service in new[] { "gateway", "analytics", "billing", "router", "orchestrator", "ingestion", "realtime" })
        {
            await platform.App.WaitForResourceHealthyAsync(service, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        }
    }

    private async Task<long> OutboxCountAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString("gatewaydb"));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM usage_outbox WHERE payload->>'tenantId' = @tenant", connection);
        command.Parameters.AddWithValue("tenant", tenantId.ToString());
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private async Task<HttpResponseMessage> PostAsync(string key, string body)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
    }
}
