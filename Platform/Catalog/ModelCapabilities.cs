namespace Platform.Catalog;

public static class ModelCapabilities
{
    public const string Tools = "tools";
    public const string Json = "json";
    public const string Vision = "vision";
}
