namespace Platform.Contracts;

public static class RouteStrategies
{
    public const string Single = "single";
    public const string Parallel = "parallel";
    public const string Cascade = "cascade";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Single, Parallel, Cascade };
}
