namespace Router;

/// <summary>How the Router decides and learns, bound from <c>Routing</c>.</summary>
public sealed class RoutingOptions
{
    /// <summary>Default 0.1: the share of decisions that explore (Thompson samples) rather than exploit (posterior means).</summary>
    public double ExplorationShare { get; set; } = 0.1;

    /// <summary>Default 0.1: how fast the moving averages of success and latency (shown, and latency's) follow new outcomes.</summary>
    public double EmaAlpha { get; set; } = 0.1;

    /// <summary>Default 10: how many outcomes the tier's prior is worth.</summary>
    public double PriorStrength { get; set; } = 10;

    /// <summary>
    /// Default 100: the quality estimate counts outcomes discounted by 1 − 1/window each, so about this many recent
    /// outcomes weigh in: steady enough not to flip between close models, recent enough to follow a change.
    /// </summary>
    public double QualityWindow { get; set; } = 100;

    /// <summary>Prior quality per tier before anything is learned.</summary>
    public Dictionary<string, double> TierQuality { get; set; } = new()
    {
        [ModelTiers.Economy] = 0.70,
        [ModelTiers.Standard] = 0.85,
        [ModelTiers.Premium] = 0.95,
    };

    /// <summary>Default 0.8: a cheap model expected at least this good starts a cascade instead of the best one.</summary>
    public double CascadeQuality { get; set; } = 0.8;

    /// <summary>Default 300: output tokens assumed when a request sets no limit, to price it.</summary>
    public int ExpectedOutputTokens { get; set; } = 300;

    /// <summary>Default 3 candidates in a decision (a primary and its fallbacks).</summary>
    public int MaxCandidates { get; set; } = 3;

    /// <summary>Default 20: outcomes each of a canary and its stable policy need before the canary is judged.</summary>
    public int CanaryMinimumOutcomes { get; set; } = 20;

    /// <summary>Default 0.05: how much higher than the stable policy's a canary's error rate may be.</summary>
    public double CanaryErrorTolerance { get; set; } = 0.05;

    /// <summary>Default 0.25: how much dearer per request (as a share) than the stable policy a canary may be.</summary>
    public double CanaryCostTolerance { get; set; } = 0.25;

    /// <summary>Default 200: outcomes under a canary that has not regressed after which it becomes the stable policy.</summary>
    public int CanaryPromoteAfter { get; set; } = 200;

    /// <summary>Default 0.8: from this share of its quota on, a provider is steered away from, fully at 1.</summary>
    public double NearQuotaShare { get; set; } = 0.8;

    /// <summary>Default 64: the Orchestrators' average concurrency from which they count as overloaded.</summary>
    public double OverloadConcurrency { get; set; } = 64;

    /// <summary>Default 0.25: under budget pressure or overload, λ is multiplied by this (cost weighs more) and free models go first.</summary>
    public double DegradedLambdaFactor { get; set; } = 0.25;
}
