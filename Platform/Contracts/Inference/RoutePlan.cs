namespace Platform.Contracts;

/// <summary>
/// Which models may answer and how: <see cref="RouteStrategies.Single"/> tries them in order (a primary and its
/// fallbacks), <see cref="RouteStrategies.Parallel"/> hedges the first <see cref="Hedge"/> and keeps the first good
/// answer, <see cref="RouteStrategies.Cascade"/> goes cheapest first and escalates when an answer fails its check.
/// </summary>
public sealed record RoutePlan(IList<RouteCandidate> Candidates, string Strategy, string? DecisionId = null, string? Intent = null, int Hedge = 2)
{
    public static RoutePlan Single(RouteCandidate candidate) => new([candidate], RouteStrategies.Single);
}
