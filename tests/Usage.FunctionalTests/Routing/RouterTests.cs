using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;

namespace Routing.FunctionalTests;

// model: "auto" — the Router's decisions under a tenant's policy, and what it learns from outcomes and feedback.
public sealed class RouterTests(PlatformFixture platform)
{
    [Fact]
    public async Task Explain_IsStableForAFixedSeed()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "explain" });
        using var http = Client(key);
        var request = new { text = "write a python function that sorts a list", inputTokens = 40, explain = true, seed = 42 };

        var first = await http.PostAsJsonAsync("/api/v1/router/decide", request, TestContext.Current.CancellationToken);
        var second = await http.PostAsJsonAsync("/api/v1/router/decide", request, TestContext.Current.CancellationToken);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var b = await second.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        a.GetProperty("explanation").GetRawText().ShouldBe(b.GetProperty("explanation").GetRawText());
        a.GetProperty("route").GetProperty("candidates").GetRawText().ShouldBe(b.GetProperty("route").GetProperty("candidates").GetRawText());
        var features = a.GetProperty("explanation").GetProperty("features");
        features.GetProperty("code").GetBoolean().ShouldBeTrue();
        features.GetProperty("intent").GetString().ShouldBe("code");
        a.GetProperty("explanation").GetProperty("scores").GetArrayLength().ShouldBeGreaterThan(3);
    }

    [Fact]
    public async Task APolicyForbiddingAModel_IsNeverViolated()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "forbidden", requestsPerMinute = 1000 });
        using var http = Client(key);
        string[] allowed = ["mock/mock-1", "mock/mock-2"];
        (await http.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = allowed, lambda = 1.0 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        for (var seed = 0; seed < 40; seed++)
        {
            var decision = await (await http.PostAsJsonAsync("/api/v1/router/decide", new { text = $"question {seed}", inputTokens = 20, seed }, TestContext.Current.CancellationToken))
                .Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            foreach (var candidate in decision.GetProperty("route").GetProperty("candidates").EnumerateArray())
            {
                allowed.ShouldContain($"{candidate.GetProperty("provider").GetString()}/{candidate.GetProperty("model").GetString()}");
            }
        }
        for (var i = 0; i < 10; i++)
        {
            using var response = await ChatAsync(key, $$"""{"model":"auto","messages":[{"role":"user","content":"auto {{i}}"}]}""");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            allowed.ShouldContain(response.Headers.GetValues("x-route").Single().Split(';')[0]);
        }
    }

    [Fact]
    public async Task TheBandit_MovesTrafficAwayFromADegradedModel()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "bandit", requestsPerMinute = 1000 });
        using var http = Client(key);
        (await http.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-bandit-a", "mock/mock-bandit-b" }, strategy = "single" }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        // Equal on paper: the tie goes to the first by name until something is learned.
        (await FirstCandidateAsync(http)).ShouldBe("mock-bandit-a");

        platform.MockOpenAi.FailingModels["mock-bandit-a"] = 500;
        try
        {
            var requests = 0;
            await Eventually.TrueAsync(async () =>
            {
                requests++;
                using var response = await ChatAsync(key, """{"model":"auto","messages":[{"role":"user","content":"hello there, how are you"}]}""");
                response.StatusCode.ShouldBe(HttpStatusCode.OK, "the fallback serves while the primary fails");
                return await FirstCandidateAsync(http) == "mock-bandit-b";
            }, "the Router to prefer the healthy model", TimeSpan.FromSeconds(30));
            requests.ShouldBeLessThanOrEqualTo(20);
        }
        finally
        {
            platform.MockOpenAi.FailingModels.TryRemove("mock-bandit-a", out _);
        }
    }

    [Fact]
    public async Task Auto_ThroughTheGateway_CascadesByPolicy_AndTakesFeedback()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "cascade-auto" });
        using var http = Client(key);
        (await http.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-weak", "mock/mock-strong" }, strategy = "cascade" }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        platform.MockOpenAi.FixedAnswers["mock-weak"] = "I'm sorry, but I can't help with that.";

        using var response = await ChatAsync(key, """{"model":"auto","messages":[{"role":"user","content":"explain quantum tunnelling"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("x-route").Single().ShouldBe("mock/mock-strong; strategy=cascade; attempts=2");
        var decisionId = response.Headers.GetValues("x-route-decision").Single();
        decisionId.ShouldStartWith("dec_");
        await Eventually.TrueAsync(async () =>
            (await http.PostAsJsonAsync("/api/v1/router/feedback", new { decisionId, thumbs = "up" }, TestContext.Current.CancellationToken)).StatusCode == HttpStatusCode.NoContent,
            "the outcome to reach the Router and the feedback to be taken", TimeSpan.FromSeconds(10));
        (await http.PostAsJsonAsync("/api/v1/router/feedback", new { decisionId, score = 3 }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsJsonAsync("/api/v1/router/feedback", new { decisionId = "dec_unknown", thumbs = "down" }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Auto_WithNoEligibleModel_Is422()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "no-fit" });
        using var http = Client(key);
        (await http.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-1" } }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        using var response = await ChatAsync(key, """{"model":"auto","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"call f"}]}""");

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe("no_eligible_model");
        error.GetProperty("message").GetString()!.ShouldContain("no tools");
    }

    [Fact]
    public async Task Providers_ShowCircuitsAndLearnedFigures()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "providers" });
        using var chat = await ChatAsync(key, """{"model":"mock/mock-1","messages":[{"role":"user","content":"thanks a lot, that was helpful"}]}""");
        using var http = Client(key);

        await Eventually.TrueAsync(async () =>
        {
            var models = await http.GetFromJsonAsync<JsonElement[]>("/api/v1/router/providers", TestContext.Current.CancellationToken);
            var mock = models!.Single(m => m.GetProperty("model").GetString() == "mock/mock-1");
            mock.GetProperty("circuit").GetString().ShouldBe("closed");
            return mock.GetProperty("intents").EnumerateObject().Any(i => i.Value.GetProperty("outcomes").GetInt64() > 0);
        }, "learned figures for mock/mock-1", TimeSpan.FromSeconds(10));
        // A decision of its own, so the decision instruments have something to show whatever ran before.
        (await http.PostAsJsonAsync("/api/v1/router/decide", new { text = "thanks", inputTokens = 10 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        using var router = platform.App.CreateHttpClient("router");
        var metrics = await router.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        metrics.ShouldContain("router_decision_latency_ms");
        metrics.ShouldContain("router_tier_distribution");
        metrics.ShouldContain("router_misroute_rate");
    }

    [Fact]
    public async Task ACanaryPolicyThatFails_IsRolledBack()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "canary-fails", requestsPerMinute = 1000 });
        using var http = Client(key);
        (await http.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-canary-a" }, strategy = "single" }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        platform.MockOpenAi.FailingModels["mock-canary-b"] = 500;
        try
        {
            var started = await http.PutAsJsonAsync("/api/v1/router/policy/canary",
                new { policy = new { allowedModels = new[] { "mock/mock-canary-b" }, strategy = "single" }, share = 0.5 }, TestContext.Current.CancellationToken);
            started.StatusCode.ShouldBe(HttpStatusCode.OK);

            var canary = await RunUntilCanaryEndsAsync(http, key);

            canary.GetProperty("canary").GetProperty("status").GetString().ShouldBe("rolled_back");
            canary.GetProperty("canary").GetProperty("reason").GetString()!.ShouldContain("error rate");
            canary.GetProperty("canaryArm").GetProperty("errorRate").GetDouble().ShouldBe(1);
            canary.GetProperty("stableArm").GetProperty("errorRate").GetDouble().ShouldBe(0);
            // Rolled back: every request is decided under the stable policy again.
            for (var i = 0; i < 8; i++)
            {
                using var response = await ChatAsync(key, $$"""{"model":"auto","messages":[{"role":"user","content":"after the rollback {{i}}"}]}""");
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                response.Headers.GetValues("x-route").Single().ShouldStartWith("mock/mock-canary-a");
            }
        }
        finally
        {
            platform.MockOpenAi.FailingModels.TryRemove("mock-canary-b", out _);
        }
    }

    [Fact]
    public async Task ADearerCanary_IsRolledBack_AndOneThatHolds_IsPromoted()
    {
        var (_, dearKey) = await platform.CreateTenantWithKeyAsync(new { name = "canary-dear", requestsPerMinute = 1000 });
        var (_, holdsKey) = await platform.CreateTenantWithKeyAsync(new { name = "canary-holds", requestsPerMinute = 1000 });
        using var dear = Client(dearKey);
        using var holds = Client(holdsKey);
        (await dear.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-canary-a" } }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await dear.PutAsJsonAsync("/api/v1/router/policy/canary", new { policy = new { allowedModels = new[] { "mock/mock-canary-dear" } }, share = 0.5 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await holds.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-canary-dear" } }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await holds.PutAsJsonAsync("/api/v1/router/policy/canary", new { policy = new { allowedModels = new[] { "mock/mock-canary-a" }, lambda = 2 }, share = 0.5 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var rolledBack = await RunUntilCanaryEndsAsync(dear, dearKey);
        var promoted = await RunUntilCanaryEndsAsync(holds, holdsKey);

        rolledBack.GetProperty("canary").GetProperty("status").GetString().ShouldBe("rolled_back");
        rolledBack.GetProperty("canary").GetProperty("reason").GetString()!.ShouldContain("cost per request");
        promoted.GetProperty("canary").GetProperty("status").GetString().ShouldBe("promoted");
        var stable = await holds.GetFromJsonAsync<JsonElement>("/api/v1/router/policy", TestContext.Current.CancellationToken);
        stable.GetProperty("allowedModels")[0].GetString().ShouldBe("mock/mock-canary-a");
        stable.GetProperty("lambda").GetDouble().ShouldBe(2);
        stable.GetProperty("version").GetInt32().ShouldBe(promoted.GetProperty("canary").GetProperty("policy").GetProperty("version").GetInt32());
        // The dear tenant's stable policy is untouched.
        (await dear.GetFromJsonAsync<JsonElement>("/api/v1/router/policy", TestContext.Current.CancellationToken)).GetProperty("allowedModels")[0].GetString().ShouldBe("mock/mock-canary-a");
    }

    [Fact]
    public async Task ACanary_IsValidated_AndCanBeAborted()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "canary-abort" });
        using var http = Client(key);

        (await http.PutAsJsonAsync("/api/v1/router/policy/canary", new { policy = new { lambda = 1 }, share = 0.9 }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PutAsJsonAsync("/api/v1/router/policy/canary", new { share = 0.1 }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.GetAsync("/api/v1/router/policy/canary", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.PutAsJsonAsync("/api/v1/router/policy/canary", new { policy = new { lambda = 3 }, share = 0.2 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var aborted = await http.DeleteAsync("/api/v1/router/policy/canary", TestContext.Current.CancellationToken);

        aborted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await aborted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("status").GetString().ShouldBe("aborted");
        (await http.DeleteAsync("/api/v1/router/policy/canary", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetFromJsonAsync<JsonElement>("/api/v1/router/policy", TestContext.Current.CancellationToken)).GetProperty("lambda").GetDouble().ShouldBe(1);
    }

    [Fact]
    public async Task FreeFirst_UsesTheFreeTierUntilItsQuotaIsUsedUp_ThenMovesOn()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "free-first", requestsPerMinute = 1000 });
        using var http = Client(key);
        (await http.PutAsJsonAsync("/api/v1/router/policy",
            new { allowedModels = new[] { "mockfree/free-chat", "mock/mock-canary-a" }, freeFirst = true, strategy = "single" }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var answeredBy = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await ChatAsync(key, $$"""{"model":"auto","messages":[{"role":"user","content":"free first {{i}}"}]}""");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            answeredBy.Add(response.Headers.GetValues("x-route").Single().Split(';')[0]);
            // The Orchestrator counts each answer in Redis; wait until the Router has read the count before the next decision.
            var freeAnswers = answeredBy.Count(m => m == "mockfree/free-chat");
            await Eventually.TrueAsync(async () =>
            {
                var models = await http.GetFromJsonAsync<JsonElement[]>("/api/v1/router/providers", TestContext.Current.CancellationToken);
                var quota = models!.Single(m => m.GetProperty("model").GetString() == "mockfree/free-chat").GetProperty("quota");
                return quota.GetProperty("requests").GetInt64() == freeAnswers;
            }, "the Router to see the free tier's use", TimeSpan.FromSeconds(10));
        }

        answeredBy.ShouldBe(["mockfree/free-chat", "mockfree/free-chat", "mockfree/free-chat", "mockfree/free-chat", "mockfree/free-chat", "mock/mock-canary-a", "mock/mock-canary-a"]);
        var decision = await (await http.PostAsJsonAsync("/api/v1/router/decide", new { text = "and now?", inputTokens = 10, explain = true }, TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        decision.GetProperty("explanation").GetProperty("excluded").EnumerateArray().Select(e => e.GetString()).ShouldContain("mockfree/free-chat: provider quota used up");
    }

    [Fact]
    public async Task UnderBudgetPressure_CostWeighsMore()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "pressure" });
        using var http = Client(key);
        (await http.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-weak", "mock/mock-strong" }, lambda = 10, strategy = "single" }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        var request = new { text = "compare these two plans", inputTokens = 200, explain = true, seed = 3 };
        var relaxed = await (await http.PostAsJsonAsync("/api/v1/router/decide", request, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        relaxed.GetProperty("route").GetProperty("candidates")[0].GetProperty("model").GetString().ShouldBe("mock-strong");

        // Past 80 % of its monthly budget, Billing tells the Router the tenant is under pressure.
        (await http.PutAsJsonAsync("/api/v1/billing/budgets", new { period = "month", limit = 1m }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await UsageReplay.PublishAsync(platform, UsageReplay.Costing(tenantId, 0.85m));

        await Eventually.TrueAsync(async () =>
        {
            var pressed = await (await http.PostAsJsonAsync("/api/v1/router/decide", request, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            return pressed.GetProperty("explanation").GetProperty("features").GetProperty("budgetPressure").GetBoolean()
                && pressed.GetProperty("route").GetProperty("candidates")[0].GetProperty("model").GetString() == "mock-weak";
        }, "the Router to prefer the cheap model under budget pressure", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task UnderOverload_TheRouterDegradesToCheapModels_AndRecovers()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "overload", requestsPerMinute = 1000 });
        using var http = Client(key);
        (await http.PutAsJsonAsync("/api/v1/router/policy", new { allowedModels = new[] { "mock/mock-weak", "mock/mock-strong" }, lambda = 10, strategy = "single" }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        (await FirstCandidateAndLoadAsync(http)).ShouldBe(("mock-strong", false));

        // Long enough to be seen through every step on a busy 2-core machine: the Gateway admitting 24 requests, a full
        // second of the Orchestrator's average, its report, the Router's next read (each up to a second).
        var overload = TimeSpan.FromSeconds(8);
        platform.MockOpenAi.SlowModels["mock-busy"] = overload;
        try
        {
            // 24 slow routes at once: the Orchestrator reports its average concurrency, the Router sees it.
            var crowd = Enumerable.Range(0, 24).Select(i => ChatAsync(key, $$"""{"model":"mock/mock-busy","messages":[{"role":"user","content":"busy {{i}}"}]}""")).ToList();
            await Eventually.TrueAsync(async () => await FirstCandidateAndLoadAsync(http) == ("mock-weak", true), "the Router to degrade under overload", overload);
            foreach (var response in await Task.WhenAll(crowd))
            {
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                response.Dispose();
            }
        }
        finally
        {
            platform.MockOpenAi.SlowModels.TryRemove("mock-busy", out _);
        }
        await Eventually.TrueAsync(async () => await FirstCandidateAndLoadAsync(http) == ("mock-strong", false), "the Router to recover when the load passes", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ATenantsOwnExamples_TeachItsOwnIntent_AndNoOneElses()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "intents-a" });
        var (_, otherKey) = await platform.CreateTenantWithKeyAsync(new { name = "intents-b" });
        using var http = Client(key);
        using var other = Client(otherKey);
        string[] examples = ["I dispute the charge on this invoice", "this invoice was billed twice, I want to dispute it", "contest an invoice charge that looks wrong"];
        var ids = new List<string>();
        foreach (var text in examples)
        {
            var created = await http.PostAsJsonAsync("/api/v1/router/intents/examples", new { intent = "invoice-dispute", text }, TestContext.Current.CancellationToken);
            created.StatusCode.ShouldBe(HttpStatusCode.Created);
            ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString()!);
        }
        var request = new { text = "please dispute invoice 4411, the charge was billed twice", inputTokens = 20, explain = true, seed = 1 };

        var mine = await (await http.PostAsJsonAsync("/api/v1/router/decide", request, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var theirs = await (await other.PostAsJsonAsync("/api/v1/router/decide", request, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        mine.GetProperty("intent").GetString().ShouldBe("invoice-dispute");
        theirs.GetProperty("intent").GetString().ShouldNotBe("invoice-dispute");
        (await other.GetFromJsonAsync<JsonElement>("/api/v1/router/intents", TestContext.Current.CancellationToken)).GetProperty("examples").GetArrayLength().ShouldBe(0);
        var listed = await http.GetFromJsonAsync<JsonElement>("/api/v1/router/intents", TestContext.Current.CancellationToken);
        listed.GetProperty("examples").GetArrayLength().ShouldBe(3);
        listed.GetProperty("global").EnumerateArray().Select(i => i.GetString()).ShouldContain("code");
        (await other.DeleteAsync($"/api/v1/router/intents/examples/{ids[0]}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.PostAsJsonAsync("/api/v1/router/intents/examples", new { intent = "Not A Name!", text = "" }, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        foreach (var id in ids)
        {
            (await http.DeleteAsync($"/api/v1/router/intents/examples/{id}", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }
        var after = await (await http.PostAsJsonAsync("/api/v1/router/decide", request, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        after.GetProperty("intent").GetString().ShouldNotBe("invoice-dispute");
    }

    // Sends auto requests, both arms' share, until the Router has judged the canary; at most 120 requests.
    private async Task<JsonElement> RunUntilCanaryEndsAsync(HttpClient http, string key)
    {
        for (var i = 0; i < 120; i++)
        {
            using var response = await ChatAsync(key, $$"""{"model":"auto","messages":[{"role":"user","content":"canary request {{i}}"}]}""");
            var canary = await http.GetFromJsonAsync<JsonElement>("/api/v1/router/policy/canary", TestContext.Current.CancellationToken);
            if (canary.GetProperty("canary").GetProperty("status").GetString() != "running")
            {
                return canary;
            }
        }
        throw new TimeoutException("The canary was not judged within 120 requests.");
    }

    private static async Task<(string?, bool)> FirstCandidateAndLoadAsync(HttpClient http)
    {
        var decision = await (await http.PostAsJsonAsync("/api/v1/router/decide", new { text = "compare these two plans", inputTokens = 200, explain = true, seed = 3 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        return (decision.GetProperty("route").GetProperty("candidates")[0].GetProperty("model").GetString(),
            decision.GetProperty("explanation").GetProperty("features").GetProperty("overloaded").GetBoolean());
    }

    private static async Task<string?> FirstCandidateAsync(HttpClient http)
    {
        var decision = await (await http.PostAsJsonAsync("/api/v1/router/decide", new { text = "hello there, how are you", inputTokens = 10, seed = 7 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        return decision.GetProperty("route").GetProperty("candidates")[0].GetProperty("model").GetString();
    }

    private HttpClient Client(string key)
    {
        var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private async Task<HttpResponseMessage> ChatAsync(string key, string body)
    {
        using var http = Client(key);
        http.DefaultRequestHeaders.CacheControl = new CacheControlHeaderValue { NoStore = true };
        return await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
    }
}
