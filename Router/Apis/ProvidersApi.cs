using Microsoft.AspNetCore.Http.HttpResults;
using Router.Services;

namespace Router.Apis;

public static class ProvidersApi
{
    public static IEndpointRouteBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/v1/router/providers", ListProviders).RequireAuthorization();
        return app;
    }

    /// <summary>
    /// Every chat model: tier, capabilities, its circuit (from the Orchestrator), its provider's quota use, and what
    /// has been learned per intent.
    /// </summary>
    public static async Task<Ok<List<ModelHealth>>> ListProviders(
        ModelCatalog catalog, LearnedStats stats, QuotaShares quotas, StatsRefresher refresher, OrchestratorClient orchestrator, CancellationToken cancellationToken)
    {
        await refresher.BeforeReadingAsync();
        var circuits = await orchestrator.CircuitsAsync(cancellationToken);
        var learned = stats.All;
        return TypedResults.Ok(catalog.Models.Where(m => !m.IsEmbedding).Select(m => new ModelHealth(
            m.QualifiedId, m.Model.Tier, m.Model.Capabilities, circuits.GetValueOrDefault(m.QualifiedId, "unknown"), quotas.All.GetValueOrDefault(m.Provider),
            learned.Where(s => s.Key.StartsWith(m.QualifiedId + "|", StringComparison.Ordinal))
                .ToDictionary(s => s.Key[(m.QualifiedId.Length + 1)..], s => new IntentFigures(Math.Round(s.Value.Success, 4), Math.Round(s.Value.LatencyMs, 1), s.Value.Count))))
            .ToList());
    }
}

public sealed record ModelHealth(string Model, string Tier, List<string> Capabilities, string Circuit, QuotaUse? Quota, Dictionary<string, IntentFigures> Intents);

/// <summary>Moving averages of success and latency for one intent, and the outcomes behind them.</summary>
public sealed record IntentFigures(double SuccessEma, double LatencyEmaMs, long Outcomes);
