using Microsoft.AspNetCore.Http.HttpResults;

namespace Orchestrator.Apis;

public static class ProvidersApi
{
    public static IEndpointRouteBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/orchestrator/providers").RequireAuthorization();
        api.MapGet("/", ListProviders);
        return app;
    }

    /// <summary>The configured providers (and the built-in local one) with their models; API keys never leave the service.</summary>
    public static Ok<List<ProviderSummary>> ListProviders(ModelCatalog catalog) =>
        TypedResults.Ok(catalog.Providers
            .Select(p => new ProviderSummary(p.Key, p.Value.Kind, p.Value.BaseUrl, !string.IsNullOrEmpty(p.Value.ApiKey), [.. p.Value.Models.Select(m => m.Id)]))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList());
}

public sealed record ProviderSummary(string Name, string Kind, Uri? BaseUrl, bool HasApiKey, List<string> Models);
