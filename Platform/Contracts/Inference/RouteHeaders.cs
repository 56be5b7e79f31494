namespace Platform.Contracts;

/// <summary>The Orchestrator's answer headers: which model answered, by which strategy, after how many attempts.</summary>
public static class RouteHeaders
{
    public const string Model = "x-route-model";
    public const string Strategy = "x-route-strategy";
    public const string Attempts = "x-route-attempts";
}
