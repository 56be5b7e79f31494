namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What the Router needs to know of a request to route it (<c>POST /api/v1/router/decide</c>): its text (the last
/// user message), its size and what it asks of a model. <see cref="Seed"/> fixes the exploration's dice, for a stable explanation.
/// </summary>
public sealed record DecisionRequest
{
    public string Text { get; init; } = "";

    /// <summary>Estimated input tokens of the whole conversation.</summary>
    public int InputTokens { get; init; }

    public int? MaxOutputTokens { get; init; }

    public bool Tools { get; init; }

    /// <summary><c>text</c>, <c>json_object</c>, <c>json_schema</c> or null.</summary>
    public string? ResponseFormat { get; init; }

    public bool StrictSchema { get; init; }

    public bool Vision { get; init; }

    /// <summary>The calling key's allow-list (empty: every model the tenant's policy allows).</summary>
    public IList<string> AllowedModels { get; init; } = [];

    public bool Explain { get; init; }

    public int? Seed { get; init; }
}

/// <summary>The Router's answer: ordered candidates and a strategy, with its reasons when asked.</summary>
public sealed record RoutingDecision(string DecisionId, string Intent, RoutePlan Route, DecisionExplanation? Explanation);

/// <summary>The features the Router saw and how it scored every model, for <c>explain</c>.</summary>
public sealed record DecisionExplanation(DecisionFeatures Features, IList<CandidateScore> Scores, IList<string> Excluded, int PolicyVersion);

public sealed record DecisionFeatures(
    int InputTokens, bool Code, bool Math, string? Domain, string JsonStrictness, bool Tools, bool Vision,
    double Novelty, string Intent, double IntentConfidence, bool IntentFromRules, bool BudgetPressure, bool Overloaded);

/// <summary>
/// One candidate's score: expected cost (USD), expected quality for the intent, the share of its provider's quota
/// used, and cost + λ·error (+ the steer away from a provider near its quota).
/// </summary>
public sealed record CandidateScore(string Model, string Tier, decimal ExpectedCost, double ExpectedQuality, double SampledQuality, double QuotaUsed, double Score);
