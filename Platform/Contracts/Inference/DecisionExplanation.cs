namespace Platform.Contracts;

/// <summary>The features the Router saw and how it scored every model, for <c>explain</c>.</summary>
public sealed record DecisionExplanation(DecisionFeatures Features, IList<CandidateScore> Scores, IList<string> Excluded, int PolicyVersion);
