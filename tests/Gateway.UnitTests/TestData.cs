using Gateway.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests;

/// <summary>Catalogs, keys and result readers the tests share.</summary>
internal static class TestData
{
    public static ModelCatalog Catalog(params (string Provider, ProviderModelOptions Model)[] models) =>
        new(Options.Create(models.GroupBy(m => m.Provider).ToDictionary(
            g => g.Key, g => new ProviderOptions { Kind = ProviderKinds.OpenAi, Models = [.. g.Select(m => m.Model)] })));

    public static ProviderModelOptions ChatModel(string id) => new() { Id = id, InputPricePerMillion = 1, OutputPricePerMillion = 2 };

    public static ProviderModelOptions Embedding(string id) => new() { Id = id, Type = ModelTypes.Embedding };

    public static TenantKey Key(string plan = "pro", string[]? allowedModels = null, int? requestsPerMinute = null, int? tokensPerMinute = null, bool cacheEnabled = true) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "acme", plan, TenantActive: true, cacheEnabled, Scopes: ["chat"], allowedModels ?? [],
            requestsPerMinute, tokensPerMinute, ExpiresAt: null, RevokedAt: null);

    /// <summary>The OpenAI error a result carries, after checking its status.</summary>
    public static OpenAiError ShouldBeOpenAiError(this IResult? result, int statusCode)
    {
        var json = result.ShouldBeOfType<JsonHttpResult<OpenAiErrorResponse>>();
        json.StatusCode.ShouldBe(statusCode);
        return json.Value.ShouldNotBeNull().Error;
    }
}
