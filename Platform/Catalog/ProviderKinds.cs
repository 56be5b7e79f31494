namespace Platform.Catalog;

public static class ProviderKinds
{
    public const string OpenAi = "openai";
    public const string Ollama = "ollama";
    public const string Anthropic = "anthropic";
    public const string Local = "local";
}
