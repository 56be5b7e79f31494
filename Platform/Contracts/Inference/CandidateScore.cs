namespace Platform.Contracts;

/// <summary>
/// One candidate's score: expected cost (USD), expected quality for the intent, the share of its provider's quota
/// used, and cost + λ·error (+ the steer away from a provider near its quota).
/// </summary>
public sealed record CandidateScore(string Model, string Tier, decimal ExpectedCost, double ExpectedQuality, double SampledQuality, double QuotaUsed, double Score);
