using System.Net;
using System.Net.Http.Json;
using Platform.Testing.Mocks;

namespace Knowledge.FunctionalTests;

[Collection(ProviderEmbeddingsPlatform.Name)]
public sealed class ProviderSemanticCacheTests(PlatformFixture platform, ProviderEmbeddingsPlatformFixture secondPlatform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AProvidersEmbedding_ComparesTheQuestions_ChargesItsTokens_TheVerifierStillRefusesSynonyms_AndWhenItFails_TheCacheIsOnlySkipped()
    {
        var (tenantId, http) = await secondPlatform.CreateTenantAsync("semantic-provider");
        using var _ = http;
        var place = $"portal{Guid.NewGuid():N}";
        var question = $"How do I reset the password for the {place}?";
        var reordered = $"For the {place}, how do I reset the password?";
        var synonyms = $"How do I change the credentials for the {place}?";

        (await AskAsync(http, question)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        var hit = await AskAsync(http, reordered);
        hit.Headers.GetValues("x-cache").Single().ShouldBe("semantic-hit");
        // The provider's vectors compared (the mock's are bags of words: the same words are 1.0; MiniLM's would not be).
        hit.Headers.GetValues("x-semantic-similarity").Single().ShouldBe("1.0000");
        EmbeddingCalls(place).ShouldBe(2);
        // The mock's model calls "change the credentials" the same as "reset the password" (1.0), but the verifier
        // accepts only the same content words: precision first, with any embedding model.
        (await AskAsync(http, synonyms)).Headers.GetValues("x-cache").Single().ShouldBe("miss");
        EmbeddingCalls(place).ShouldBe(3);
        // An exact hit needs no embedding.
        (await AskAsync(http, question)).Headers.GetValues("x-cache").Single().ShouldBe("hit");
        EmbeddingCalls(place).ShouldBe(3);

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
        var usage = await UsageEvents.ForTenantAsync(secondPlatform.App, tenantId, expected: 8);
        var embeddings = usage.Where(u => u.Endpoint == "cache.embeddings").ToList();
        embeddings.Select(u => (u.Model, u.InputTokens, u.Cost)).ShouldBe(
            [.. Enumerable.Repeat(($"mock/{MockOpenAiServer.MeaningEmbeddingModel}", 3L, 0.0000015m), 3)]);
        usage.Where(u => u.Endpoint == "chat.completions").Select(u => u.Cache).ShouldBe(["miss", "semantic-hit", "miss", "hit", "miss"], ignoreOrder: true);
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
