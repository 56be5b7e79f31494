namespace Platform.Catalog;

public static class ModelTypes
{
    public const string Chat = "chat";
    public const string Embedding = "embedding";
}
