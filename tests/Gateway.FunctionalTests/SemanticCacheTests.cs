using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.FunctionalTests;

// The Gateway's semantic cache: a question asked before in other words is answered without a provider call.
public sealed class SemanticCacheTests(PlatformFixture platform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ByDefault_TheQuestionReworded_IsASemanticHit_AHardNegativeIsAMiss_AndTenantsAndTheSwitchKeepItApart()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "semantic-defaults", scopes = new[] { "inference", "platform" } });
        var (_, otherKey) = await platform.CreateTenantWithKeyAsync(new { name = "semantic-other" });

        (await AskAsync(key, "What is your refund policy?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        var reworded = await AskAsync(key, "What's the refund policy?");
        reworded.Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");
        // Near in embedding space, another question all the same.
        (await AskAsync(key, "What is your shipping policy?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(key, "Is there a student discount?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(key, "Is there a senior discount?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(otherKey, "What's the refund policy?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");

        // The tenant switches its semantic cache off (the exact cache stays on).
        using var tenantApi = platform.App.CreateHttpClient("gateway");
        tenantApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var switched = await tenantApi.PatchAsJsonAsync("/api/v1/tenant", new { semanticCacheEnabled = false }, Cancellation);
        switched.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await switched.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("semanticCacheEnabled").GetBoolean().ShouldBeFalse();
        (await AskAsync(key, "What's your refund policy?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(key, "What is your refund policy?")).Headers.GetValues("x-cache").Single().ShouldBe("hit");
    }

    [Fact]
    public async Task ARewordedQuestion_HitsAboveTheThreshold_ADifferentOneMisses_AndNoOtherTenantShares_It()
    {
        var (tenantA, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "semantic-a" });
        var (_, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "semantic-b" });
        var place = $"office{Guid.NewGuid():N}";

        var first = await AskAsync(keyA, $"What are the opening hours of the {place} on Saturdays?");
        first.Headers.GetValues("x-cache").Single().ShouldBe("miss");
        var answer = await TextAsync(first);

        var reworded = await AskAsync(keyA, $"On Saturdays, what are the opening hours of the {place}?");
        reworded.Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");
        double.Parse(reworded.Headers.GetValues("x-semantic-similarity").Single(), CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(new CacheOptions().SemanticThreshold);
        (await TextAsync(reworded)).ShouldBe(answer);
        platform.MockOpenAi.Requests.ShouldNotContain(r => r.Body.ToJsonString().Contains($"On Saturdays, what are the opening hours of the {place}", StringComparison.Ordinal));

        // Near in words but about another parcel: numbers must match.
        var parcel = $"Please tell me the current delivery status and the expected arrival date of the parcel with tracking number 1234 at the {place}";
        (await AskAsync(keyA, parcel)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyA, parcel.Replace("1234", "5678", StringComparison.Ordinal))).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyA, parcel.Replace("Please tell me", "Tell me please", StringComparison.Ordinal))).Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");

        var different = await AskAsync(keyA, $"How do I reset the alarm code of the {place}?");
        different.Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyA, $"On Saturdays, what are the opening hours of the {place}?", temperature: 0.9f)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyB, $"On Saturdays, what are the opening hours of the {place}?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");

        // A semantic hit costs nothing, as an exact one does.
        var usage = await UsageEvents.ForTenantAsync(platform.App, tenantA, expected: 7);
        usage.Where(u => u.Cache == Platform.Contracts.CacheStatus.SemanticHit).Select(u => u.Cost).ShouldBe([0m, 0m]);
    }

    [Fact]
    public async Task NoCache_AnswersAfresh_AndStoresTheFreshAnswer_NoStore_NeitherReadsNorStores()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "refresh" });
        var question = $"What is the parking policy of building {Guid.NewGuid():N}?";
        (await AskAsync(key, question)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(key, question)).Headers.GetValues("x-cache").Single().ShouldBe("hit");
        var calls = ProviderCalls(question);

        (await AskAsync(key, question, cacheControl: "no-cache")).Headers.GetValues("x-cache").Single().ShouldBe("refresh");
        ProviderCalls(question).ShouldBe(calls + 1);
        (await AskAsync(key, question)).Headers.GetValues("x-cache").Single().ShouldBe("hit");
        ProviderCalls(question).ShouldBe(calls + 1);

        var unstored = $"What is the parking policy of hall {Guid.NewGuid():N}?";
        (await AskAsync(key, unstored, cacheControl: "no-store")).Headers.GetValues("x-cache").Single().ShouldBe("bypass");
        (await AskAsync(key, unstored)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
    }

    [Fact]
    public async Task Flushing_ForgetsATenantsExactAndSemanticAnswers_AndNoOtherTenants()
    {
        var (_, keyA) = await platform.CreateTenantWithKeyAsync(new { name = "flush-a", scopes = new[] { "inference", "platform" } });
        var (tenantB, keyB) = await platform.CreateTenantWithKeyAsync(new { name = "flush-b", scopes = new[] { "inference", "platform" } });
        var place = $"depot{Guid.NewGuid():N}";
        var question = $"When does the {place} open on public holidays?";
        var reworded = $"On public holidays, when does the {place} open?";
        foreach (var key in new[] { keyA, keyB })
        {
            (await AskAsync(key, question)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
            (await AskAsync(key, reworded)).Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");
        }

        using var tenantApi = platform.App.CreateHttpClient("gateway");
        tenantApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keyA);
        var held = await tenantApi.GetFromJsonAsync<JsonElement>("/api/v1/cache", Cancellation);
        held.GetProperty("exactEntries").GetInt64().ShouldBe(1);
        held.GetProperty("semanticSpaces").GetInt64().ShouldBe(1);
        held.GetProperty("semanticEntries").GetInt64().ShouldBe(1);

        using var flushed = await tenantApi.DeleteAsync("/api/v1/cache", Cancellation);
        flushed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await flushed.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("exactEntries").GetInt64().ShouldBe(1);
        (await tenantApi.GetFromJsonAsync<JsonElement>("/api/v1/cache", Cancellation)).GetProperty("semanticEntries").GetInt64().ShouldBe(0);
        (await AskAsync(keyA, reworded)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(keyB, reworded)).Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");

        // Operators flush a tenant's cache too.
        using var admin = platform.CreateAdminClient();
        (await admin.DeleteAsync($"/api/v1/admin/tenants/{tenantB}/cache", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await AskAsync(keyB, question)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await admin.DeleteAsync($"/api/v1/admin/tenants/{Guid.NewGuid()}/cache", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // An inference-only key may not flush.
        var (_, inferenceOnly) = await platform.CreateTenantWithKeyAsync(new { name = "inference-only", scopes = new[] { "inference" } });
        tenantApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", inferenceOnly);
        (await tenantApi.DeleteAsync("/api/v1/cache", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private int ProviderCalls(string question) =>
        platform.MockOpenAi.Requests.Count(r => r.Body.ToJsonString().Contains(question, StringComparison.Ordinal));

    private async Task<HttpResponseMessage> AskAsync(string key, string question, float? temperature = null, string? cacheControl = null)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (cacheControl is not null)
        {
            http.DefaultRequestHeaders.Add("Cache-Control", cacheControl);
        }
        var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "mock/mock-1",
            temperature,
            messages = new[] { new { role = "system", content = "You answer for the facilities team." }, new { role = "user", content = question } },
        }, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return response;
    }

    private static async Task<string> TextAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
}

// The semantic cache comparing questions by a provider's embedding model (a second platform configured so).
