namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which models may answer and how: <see cref="RouteStrategies.Single"/> tries them in order (a primary and its
/// fallbacks), <see cref="RouteStrategies.Parallel"/> hedges the first <see cref="Hedge"/> and keeps the first good
/// answer, <see cref="RouteStrategies.Cascade"/> goes cheapest first and escalates when an answer fails its check.
/// </summary>
public sealed record RoutePlan(IList<RouteCandidate> Candidates, string Strategy, string? DecisionId = null, string? Intent = null, int Hedge = 2)
{
    public static RoutePlan Single(RouteCandidate candidate) => new([candidate], RouteStrategies.Single);
}

/// <summary>A catalog model: <c>provider/model</c>.</summary>
public sealed record RouteCandidate(string Provider, string Model)
{
    public override string ToString() => $"{Provider}/{Model}";
}

public static class RouteStrategies
{
    public const string Single = "single";
    public const string Parallel = "parallel";
    public const string Cascade = "cascade";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Single, Parallel, Cascade };
}

/// <summary>The Orchestrator's answer headers: which model answered, by which strategy, after how many attempts.</summary>
public static class RouteHeaders
{
    public const string Model = "x-route-model";
    public const string Strategy = "x-route-strategy";
    public const string Attempts = "x-route-attempts";
}
