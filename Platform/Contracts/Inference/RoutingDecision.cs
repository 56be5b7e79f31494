namespace Platform.Contracts;

/// <summary>The Router's answer: ordered candidates and a strategy, with its reasons when asked.</summary>
public sealed record RoutingDecision(string DecisionId, string Intent, RoutePlan Route, DecisionExplanation? Explanation);
