using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Routing.FunctionalTests;

// Fallbacks, circuit breakers, hedging and cascades, through the Gateway against the mock provider's scripted models.
public sealed class RouteExecutionTests(PlatformFixture platform)
{
    [Fact]
    public async Task FailingPrimary_TheFallbackServes_ThenTheCircuitOpens_AndTheProbeClosesItOnRecovery()
    {
        platform.MockOpenAi.FailingModels["mock-breaker"] = 500;
        try
        {
            using var first = await ChatAsync("""{"model":"mock/mock-breaker","fallbacks":["mock/mock-backup"],"messages":[{"role":"user","content":"hi"}]}""");

            first.StatusCode.ShouldBe(HttpStatusCode.OK);
            Header(first, "x-route").ShouldStartWith("mock/mock-backup; strategy=single");
            (await Text(first)).ShouldBe("mock: hi");

            // Each request tries the primary (with its retries) until five failures open the circuit.
            await Eventually.TrueAsync(async () =>
            {
                using var again = await ChatAsync("""{"model":"mock/mock-breaker","fallbacks":["mock/mock-backup"],"messages":[{"role":"user","content":"again"}]}""");
                again.StatusCode.ShouldBe(HttpStatusCode.OK);
                return await CircuitAsync("mock-breaker") == "open";
            }, "the circuit to open", TimeSpan.FromSeconds(20));
            var callsWhenOpen = platform.MockOpenAi.Calls["mock-breaker"];
            using var whileOpen = await ChatAsync("""{"model":"mock/mock-breaker","fallbacks":["mock/mock-backup"],"messages":[{"role":"user","content":"still there?"}]}""");
            Header(whileOpen, "x-route").ShouldStartWith("mock/mock-backup");
            platform.MockOpenAi.Calls["mock-breaker"].ShouldBeLessThanOrEqualTo(callsWhenOpen + 1, "an open circuit is skipped (only the prober may knock)");
            // The metric says so too: 2 open, or 1 if the break already ended and the probe is on its way.
            using var orchestrator = platform.App.CreateHttpClient("orchestrator");
            var metrics = await orchestrator.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
            metrics.ShouldMatch("""circuit_breaker_state\{[^}]*model="mock/mock-breaker"[^}]*\} [12]\b""");
        }
        finally
        {
            platform.MockOpenAi.FailingModels.TryRemove("mock-breaker", out _);
        }

        // After the break the prober's one-token request is the half-open trial; it succeeds and closes the circuit.
        await Eventually.TrueAsync(async () => await CircuitAsync("mock-breaker") == "closed", "the probe to close the circuit", TimeSpan.FromSeconds(20));
        using var recovered = await ChatAsync("""{"model":"mock/mock-breaker","fallbacks":["mock/mock-backup"],"messages":[{"role":"user","content":"back"}]}""");
        Header(recovered, "x-route").ShouldStartWith("mock/mock-breaker; strategy=single; attempts=1");
    }

    [Fact]
    public async Task AClientsMistake_DoesNotFallBack()
    {
        using var response = await ChatAsync("""{"model":"mock/mock-2","fallbacks":["mock/mock-backup"],"messages":[{"role":"user","content":"[[status:400]]"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        Header(response, "x-route").ShouldBe("strategy=single");
    }

    [Fact]
    public async Task Streaming_FallsBackBeforeTheFirstToken()
    {
        platform.MockOpenAi.FailingModels["mock-stream-primary"] = 503;
        try
        {
            using var response = await ChatAsync("""{"model":"mock/mock-stream-primary","fallbacks":["mock/mock-backup"],"stream":true,"messages":[{"role":"user","content":"flow"}]}""");

            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            Header(response, "x-route").ShouldStartWith("mock/mock-backup");
            (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("data: [DONE]");
        }
        finally
        {
            platform.MockOpenAi.FailingModels.TryRemove("mock-stream-primary", out _);
        }
    }

    [Fact]
    public async Task Parallel_ReturnsTheFastest_AndCancelsTheOthers()
    {
        platform.MockOpenAi.SlowModels["mock-slow"] = TimeSpan.FromSeconds(10);
        var cancelledBefore = platform.MockOpenAi.Cancelled.Count(m => m == "mock-slow");

        using var response = await ChatAsync("""{"model":"mock/mock-slow","route":{"strategy":"parallel","models":["mock/mock-slow","mock/mock-fast"]},"messages":[{"role":"user","content":"race"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(response, "x-route").ShouldStartWith("mock/mock-fast; strategy=parallel");
        await Eventually.TrueAsync(() => Task.FromResult(platform.MockOpenAi.Cancelled.Count(m => m == "mock-slow") > cancelledBefore),
            "the slow provider to see its request cancelled", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cascade_EscalatesWhenTheCheapAnswerFailsItsCheck()
    {
        platform.MockOpenAi.FixedAnswers["mock-weak"] = "I'm sorry, but I can't help with that.";

        using var escalated = await ChatAsync("""{"model":"mock/mock-weak","route":{"strategy":"cascade","models":["mock/mock-weak","mock/mock-strong"]},"messages":[{"role":"user","content":"hard"}]}""");
        using var cheap = await ChatAsync("""{"model":"mock/mock-1","route":{"strategy":"cascade","models":["mock/mock-1","mock/mock-strong"]},"messages":[{"role":"user","content":"easy"}]}""");

        Header(escalated, "x-route").ShouldBe("mock/mock-strong; strategy=cascade; attempts=2");
        (await Text(escalated)).ShouldBe("mock: hard");
        Header(cheap, "x-route").ShouldBe("mock/mock-1; strategy=cascade; attempts=1");
    }

    [Fact]
    public async Task AnsweredModel_IsWhatUsageMeters()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "metered-route" });
        platform.MockOpenAi.FixedAnswers["mock-weak"] = "I'm sorry, but I can't help with that.";

        using var response = await ChatAsync("""{"model":"mock/mock-weak","route":{"strategy":"cascade","models":["mock/mock-weak","mock/mock-strong"]},"messages":[{"role":"user","content":"meter"}]}""", key);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 1)).Single().Model.ShouldBe("mock/mock-strong");
    }

    [Theory]
    [InlineData("""{"model":"mock/mock-1","fallbacks":["nope/none"],"messages":[{"role":"user","content":"x"}]}""", 404, "fallbacks[0]")]
    [InlineData("""{"model":"mock/mock-1","route":{"strategy":"sideways","models":["mock/mock-1"]},"messages":[{"role":"user","content":"x"}]}""", 400, "route.strategy")]
    [InlineData("""{"model":"mock/mock-1","route":{"strategy":"parallel","models":[]},"messages":[{"role":"user","content":"x"}]}""", 400, "route.models")]
    public async Task BadRoutes_AreOpenAiErrors(string body, int status, string param)
    {
        using var response = await ChatAsync(body);

        ((int)response.StatusCode).ShouldBe(status);
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error").GetProperty("param").GetString().ShouldBe(param);
    }

    private async Task<string?> CircuitAsync(string model)
    {
        using var http = platform.CreateOperatorClient("orchestrator");
        var providers = await http.GetFromJsonAsync<JsonElement[]>("/api/v1/orchestrator/providers", TestContext.Current.CancellationToken);
        return providers!.Single(p => p.GetProperty("name").GetString() == "mock").GetProperty("circuits").GetProperty(model).GetString();
    }

    private async Task<HttpResponseMessage> ChatAsync(string body, string? key = null)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? platform.DemoKey);
        http.DefaultRequestHeaders.CacheControl = new CacheControlHeaderValue { NoStore = true };
        return await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
    }

    private static async Task<string?> Text(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();
}
