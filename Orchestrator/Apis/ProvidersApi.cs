using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Services;
using Polly.CircuitBreaker;

namespace Orchestrator.Apis;

public static class ProvidersApi
{
    public static IEndpointRouteBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/orchestrator/providers").RequireAuthorization();
        api.MapGet("/", ListProviders);
        return app;
    }

    /// <summary>
    /// The configured providers (and the built-in local one) with their models and, per model, this instance's circuit
    /// state (closed, open, half-open); API keys never leave the service.
    /// </summary>
    public static Ok<List<ProviderSummary>> ListProviders(ModelCatalog catalog, ProviderResilience resilience) =>
        TypedResults.Ok(catalog.Providers
            .Select(p => new ProviderSummary(p.Key, p.Value.Kind, p.Value.BaseUrl, !string.IsNullOrEmpty(p.Value.ApiKey), [.. p.Value.Models.Select(m => m.Id)],
                p.Value.Models.ToDictionary(m => m.Id, m => Circuit(resilience.StateOf($"{p.Key}/{m.Id}")))))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList());

    private static string Circuit(CircuitState state) => state switch
    {
        CircuitState.Open or CircuitState.Isolated => "open",
        CircuitState.HalfOpen => "half-open",
        _ => "closed",
    };
}

public sealed record ProviderSummary(string Name, string Kind, Uri? BaseUrl, bool HasApiKey, List<string> Models, Dictionary<string, string> Circuits);
