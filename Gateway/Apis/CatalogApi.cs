using Microsoft.AspNetCore.Http.HttpResults;
using NATS.Client.Core;
using StackExchange.Redis;

namespace Gateway.Apis;

/// <summary>
/// The model catalog for operators: every provider and model with prices, context window, capabilities, tier and
/// tags. Models of a configured provider can be added or changed here (providers, with their keys, come from
/// configuration); every service sees a change within moments.
/// </summary>
public static class CatalogApi
{
    public static RouteGroupBuilder MapCatalogApi(this RouteGroupBuilder admin)
    {
        var catalog = admin.MapGroup("/catalog");
        catalog.MapGet("/", GetCatalog);
        catalog.MapPut("/models/{provider}/{*model}", PutModel);
        catalog.MapDelete("/models/{provider}/{*model}", DeleteModel);
        return admin;
    }

    public static Ok<List<CatalogProvider>> GetCatalog(ModelCatalog catalog) =>
        TypedResults.Ok(catalog.Providers.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new CatalogProvider(
            p.Key, p.Value.Kind, p.Value.BaseUrl, !string.IsNullOrEmpty(p.Value.ApiKey), p.Value.Quota,
            [.. p.Value.Models.Select(m => new CatalogEntry(m, catalog.Changes.ContainsKey($"{p.Key}/{m.Id}")))])).ToList());

    public static async Task<Results<Ok<ProviderModelOptions>, NotFound<string>, ValidationProblem>> PutModel(
        string provider, string model, ProviderModelOptions request, ModelCatalog catalog, IConnectionMultiplexer redis, INatsConnection nats, CancellationToken cancellationToken)
    {
        if (!catalog.Providers.ContainsKey(provider) || provider == ModelCatalog.LocalProvider)
        {
            return TypedResults.NotFound($"No configurable provider '{provider}': providers and their keys come from configuration (Providers__{provider}__Kind).");
        }
        var errors = new Dictionary<string, string[]>();
        if (request.Id.Length > 0 && request.Id != model)
        {
            errors["id"] = ["The id, if given, is the model in the path."];
        }
        if (request.InputPricePerMillion < 0 || request.OutputPricePerMillion < 0)
        {
            errors["price"] = ["Prices per million tokens are not negative."];
        }
        if (request.ContextWindow is < 1)
        {
            errors["contextWindow"] = ["The context window is a positive number of tokens."];
        }
        if (!ModelTiers.All.Contains(request.Tier))
        {
            errors["tier"] = [$"Tiers are {string.Join(", ", ModelTiers.All)}."];
        }
        if (request.Type is not (ModelTypes.Chat or ModelTypes.Embedding))
        {
            errors["type"] = ["The type is chat or embedding."];
        }
        if (request.Capabilities.Any(c => c is not (ModelCapabilities.Tools or ModelCapabilities.Json or ModelCapabilities.Vision)))
        {
            errors["capabilities"] = ["Capabilities are tools, json and vision."];
        }
        if (request.Tags.Any(string.IsNullOrWhiteSpace))
        {
            errors["tags"] = ["Tags are not empty."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        request.Id = model;
        await CatalogSync.SetAsync(redis, nats, provider, request, cancellationToken);
        return TypedResults.Ok(request);
    }

    /// <summary>Removes a model added here, or returns a changed configured one to its configuration.</summary>
    public static async Task<Results<NoContent, NotFound>> DeleteModel(string provider, string model, IConnectionMultiplexer redis, INatsConnection nats, CancellationToken cancellationToken) =>
        await CatalogSync.RemoveAsync(redis, nats, $"{provider}/{model}", cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();
}

public sealed record CatalogProvider(string Name, string Kind, Uri? BaseUrl, bool HasApiKey, ProviderQuotaOptions? Quota, List<CatalogEntry> Models);

/// <summary>A model as the catalog has it; <c>changed</c> when it was added or changed through this API.</summary>
public sealed record CatalogEntry(ProviderModelOptions Model, bool Changed);
