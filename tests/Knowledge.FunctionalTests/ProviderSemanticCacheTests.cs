using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Platform.Testing.Mocks;

namespace Knowledge.FunctionalTests;

[Collection(ProviderEmbeddingsPlatform.Name)]
public sealed class ProviderSemanticCacheTests(PlatformFixture platform, ProviderEmbeddingsPlatformFixture secondPlatform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AProvidersEmbedding_MatchesAQuestionInSynonyms_ChargesItsTokens_AndWhenItFails_TheCacheIsOnlySkipped()
    {
        var (tenantId, http) = await secondPlatform.CreateTenantAsync("semantic-provider");
        using var _ = http;
        var place = $"portal{Guid.NewGuid():N}";
        var question = $"How do I reset the password for the {place}?";
        var reworded = $"How do I change the credentials for the {place}?";

        (await AskAsync(http, question)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        var hit = await AskAsync(http, reworded);
        hit.Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");
        hit.Headers.GetValues("x-semantic-similarity").Single().ShouldBe("1.0000");
        EmbeddingCalls(place).ShouldBe(2);
        // An exact hit needs no embedding.
        (await AskAsync(http, question)).Headers.GetValues("x-cache").Single().ShouldBe("hit");
        EmbeddingCalls(place).ShouldBe(2);

        // The built-in lexical embedding sees other words: the main platform misses the same rewording.
        var (_, lexical) = await platform.CreateTenantWithKeyAsync(new { name = "semantic-lexical" });
        using var main = platform.App.CreateHttpClient("gateway");
        main.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", lexical);
        (await AskAsync(main, question)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        (await AskAsync(main, reworded)).Headers.GetValues("x-cache").Single().ShouldBe("miss");

        // A failing embedding model costs the request nothing but the cache.
        platform.MockOpenAi.FailingModels[MockOpenAiServer.MeaningEmbeddingModel] = 401;
        try
        {
            (await AskAsync(http, $"How do I modify the passcode for the {place}?")).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        }
        finally
        {
            platform.MockOpenAi.FailingModels.TryRemove(MockOpenAiServer.MeaningEmbeddingModel, out var _);
        }

        // Each embedding is a usage event of its own, at the model's price (the mock counts 3 tokens an input), hit or miss.
        var usage = await UsageEvents.ForTenantAsync(secondPlatform.App, tenantId, expected: 6);
        var embeddings = usage.Where(u => u.Endpoint == "cache.embeddings").ToList();
        embeddings.Select(u => (u.Model, u.InputTokens, u.Cost)).ShouldBe(
            [($"mock/{MockOpenAiServer.MeaningEmbeddingModel}", 3L, 0.0000015m), ($"mock/{MockOpenAiServer.MeaningEmbeddingModel}", 3L, 0.0000015m)]);
        usage.Where(u => u.Endpoint == "chat.completions").Select(u => u.Cache).ShouldBe(["miss", "semantic-hit", "hit", "miss"], ignoreOrder: true);
        usage.Single(u => u.Cache == Platform.Contracts.CacheStatus.SemanticHit).Cost.ShouldBe(0m);
    }

    private int EmbeddingCalls(string place) =>
        platform.MockOpenAi.Requests.Count(r => r.Body["model"]?.GetValue<string>() == MockOpenAiServer.MeaningEmbeddingModel && r.Body.ToJsonString().Contains(place, StringComparison.Ordinal));

    private static async Task<HttpResponseMessage> AskAsync(HttpClient http, string question)
    {
        var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "mock/mock-1",
            messages = new[] { new { role = "user", content = question } },
        }, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return response;
    }
}
