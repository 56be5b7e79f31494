namespace Platform.Contracts;

/// <summary>One try of one model; its outcome is one of <see cref="AttemptOutcomes"/>.</summary>
public sealed record RouteAttempt(string Model, string Outcome, double LatencyMs, string? Error = null);
