using Microsoft.Extensions.Options;
using Router.Model;

namespace Router.Services;

/// <summary>
/// The decision, in process and without I/O, for a request whose intent is classified already: keep the chat models the
/// policy and the request allow, score each by normalised expected cost + λ·expected error for the intent (learned, with
/// the tier as prior; Thompson samples when exploring), steer away from providers near their quota, and choose a strategy.
/// Degraded (the tenant under budget pressure, or the Orchestrators overloaded), cost weighs more and free models go first.
/// The keyless local model is a candidate only when no other chat model is.
/// </summary>
public sealed class RoutingEngine(
    ModelCatalog catalog, LearnedStats stats, QuotaShares quotas, OrchestratorLoad load, IOptions<RoutingOptions> options)
{
    public RoutingDecision Decide(DecisionRequest request, IntentResult intent, RoutingPolicy policy, Random random, bool budgetPressure = false)
    {
        var settings = options.Value;
        var overloaded = load.Overloaded;
        var degraded = budgetPressure || overloaded;
        var lambda = degraded ? policy.Lambda * settings.DegradedLambdaFactor : policy.Lambda;
        var freeFirst = policy.FreeFirst || degraded;
        var features = new DecisionFeatures(
            request.InputTokens, RequestFlags.Code(request.Text), RequestFlags.Math(request.Text), RequestFlags.Domain(request.Text),
            request.StrictSchema ? "strict" : request.ResponseFormat is "json_object" or "json_schema" ? "json" : "none",
            request.Tools, request.Vision, Math.Round(intent.Novelty, 4), intent.Intent, Math.Round(intent.Confidence, 4), intent.FromRules, budgetPressure, overloaded);

        var explore = random.NextDouble() < settings.ExplorationShare;
        var excluded = new List<string>();
        var scored = new List<Scored>();
        foreach (var model in catalog.Models)
        {
            if (model.IsEmbedding)
            {
                continue;
            }
            var cost = model.CostOf(request.InputTokens, request.MaxOutputTokens ?? settings.ExpectedOutputTokens);
            var quotaUsed = quotas.ShareOf(model.Provider);
            if ((quotaUsed >= 1 ? "provider quota used up" : Exclusion(model, request, policy, cost)) is { } reason)
            {
                excluded.Add($"{model.QualifiedId}: {reason}");
                continue;
            }
            var (mean, sample) = Quality(model, intent.Intent, random);
            scored.Add(new Scored(model, cost, mean, sample, explore ? sample : mean, quotaUsed));
        }

        // The keyless local model only reports what it was asked: it answers "auto" only when nothing else may.
        if (scored.Exists(s => !IsLocal(s)))
        {
            excluded.AddRange(scored.Where(IsLocal).Select(s => $"{s.Model.QualifiedId}: {LocalOnlyAlone}"));
            scored.RemoveAll(IsLocal);
        }

        var maxCost = scored.Count == 0 ? 0 : scored.Max(s => s.Cost);
        var ranked = scored
            .Select(s => s with
            {
                Score = (maxCost > 0 ? (double)(s.Cost / maxCost) : 0) + lambda * (1 - s.Quality) - Preference(s.Model.Model.Tier, policy.PreferredTiers)
                    + NearQuota(s.QuotaUsed, settings.NearQuotaShare),
            })
            .OrderBy(s => freeFirst && s.Cost == 0 ? 0 : 1)
            .ThenBy(s => s.Score)
            .ThenBy(s => s.Model.QualifiedId, StringComparer.Ordinal)
            .ToList();

        var (strategy, candidates) = Strategy(policy, request, ranked, settings);
        var decisionId = $"dec_{Guid.CreateVersion7():N}";
        var route = new RoutePlan([.. candidates.Select(s => new RouteCandidate(s.Model.Provider, s.Model.Model.Id))], strategy, decisionId, intent.Intent, Math.Max(1, policy.Hedge));
        var explanation = new DecisionExplanation(features,
            [.. ranked.Select(s => new CandidateScore(s.Model.QualifiedId, s.Model.Model.Tier, s.Cost, Math.Round(s.Mean, 4), Math.Round(s.Sample, 4), s.QuotaUsed, Math.Round(s.Score, 6)))],
            excluded, policy.Version);
        return new RoutingDecision(decisionId, intent.Intent, route, explanation);
    }

    private const string LocalOnlyAlone = "the keyless local model, used only when no other chat model is available";

    private static bool IsLocal(Scored scored) => scored.Model.Provider == ModelCatalog.LocalProvider;

    private static string? Exclusion(CatalogModel model, DecisionRequest request, RoutingPolicy policy, decimal cost)
    {
        if (!Allowed(policy.AllowedModels, model) || !Allowed(request.AllowedModels, model))
        {
            return "not allowed";
        }
        var capabilities = model.Model.Capabilities;
        if (request.Tools && !capabilities.Contains(ModelCapabilities.Tools))
        {
            return "no tools";
        }
        if (request.ResponseFormat is "json_object" or "json_schema" && !capabilities.Contains(ModelCapabilities.Json))
        {
            return "no JSON mode";
        }
        if (request.Vision && !capabilities.Contains(ModelCapabilities.Vision))
        {
            return "no vision";
        }
        if (model.Model.ContextWindow is { } window && request.InputTokens + (request.MaxOutputTokens ?? 0) > window)
        {
            return "context window too small";
        }
        if (policy.MaxCostPerRequest is { } max && cost > max)
        {
            return "over the cost limit";
        }
        return policy.Tags.FirstOrDefault(tag => !model.Model.Tags.Contains(tag)) is { } missing ? $"lacks {missing}" : null;
    }

    private static bool Allowed(IEnumerable<string> allowList, CatalogModel model) =>
        !allowList.Any() || allowList.Contains(model.QualifiedId) || allowList.Contains(model.Model.Id);

    private (double Mean, double Sample) Quality(CatalogModel model, string intent, Random random)
    {
        var settings = options.Value;
        var prior = settings.TierQuality.GetValueOrDefault(model.Model.Tier, 0.8);
        var learned = stats.Get(model.QualifiedId, intent);
        var alpha = prior * settings.PriorStrength + (learned?.Good ?? 0);
        var beta = (1 - prior) * settings.PriorStrength + (learned?.Bad ?? 0);
        return (alpha / (alpha + beta), Beta(alpha, beta, random));
    }

    // From the near share on, a provider's models lose ground in step with its quota running out (1: as if they cost
    // as much as the dearest candidate more), so traffic moves before the provider starts refusing.
    private static double NearQuota(double used, double near) => used <= near ? 0 : (used - near) / (1 - near);

    // A preferred tier earns a bonus: the first one most.
    private static double Preference(string tier, string[] preferred)
    {
        var rank = Array.IndexOf(preferred, tier);
        return rank < 0 ? 0 : 0.1 / (rank + 1);
    }

    private static (string Strategy, List<Scored> Candidates) Strategy(RoutingPolicy policy, DecisionRequest request, List<Scored> ranked, RoutingOptions settings)
    {
        var top = ranked.Take(settings.MaxCandidates).ToList();
        switch (policy.Strategy)
        {
            case RouteStrategies.Single:
                return (RouteStrategies.Single, top);
            case RouteStrategies.Parallel:
                return (RouteStrategies.Parallel, top);
            case RouteStrategies.Cascade:
                return (RouteStrategies.Cascade, [.. top.OrderBy(s => s.Cost)]);
        }
        // Auto: a cheap model likely good enough goes first, escalating to the best only when its answer fails its check.
        // Not for tools or strict schemas, where a cheap model's miss is costly to detect.
        var cheapest = ranked.Count == 0 ? null : ranked.MinBy(s => s.Cost);
        if (cheapest is not null && top.Count > 0 && cheapest != top[0] && !request.Tools && !request.StrictSchema
            && cheapest.Mean >= settings.CascadeQuality && cheapest.Cost <= top[0].Cost / 2)
        {
            return (RouteStrategies.Cascade, [cheapest, top[0]]);
        }
        return (RouteStrategies.Single, top);
    }

    private static double Beta(double alpha, double beta, Random random)
    {
        var x = Gamma(alpha, random);
        var y = Gamma(beta, random);
        return x / (x + y);
    }

    // Marsaglia and Tsang's method.
    private static double Gamma(double shape, Random random)
    {
        if (shape < 1)
        {
            return Gamma(shape + 1, random) * Math.Pow(random.NextDouble(), 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = random.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed record Scored(CatalogModel Model, decimal Cost, double Mean, double Sample, double Quality, double QuotaUsed)
    {
        public double Score { get; init; }
    }
}
