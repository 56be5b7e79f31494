namespace Platform.Catalog;

public static class ModelTiers
{
    public const string Economy = "economy";
    public const string Standard = "standard";
    public const string Premium = "premium";

    public static readonly IReadOnlyList<string> All = [Economy, Standard, Premium];
}
