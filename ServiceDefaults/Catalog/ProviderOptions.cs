namespace Microsoft.Extensions.Hosting;

/// <summary>An LLM provider, bound from <c>Providers:{name}</c> (for example <c>Providers__mock__Kind=openai</c>).</summary>
public sealed class ProviderOptions
{
    /// <summary><c>openai</c> (any OpenAI-compatible URL), <c>ollama</c>, <c>anthropic</c> or <c>local</c>.</summary>
    public string Kind { get; set; } = "";

    public Uri? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public List<ProviderModelOptions> Models { get; set; } = [];
}

public sealed class ProviderModelOptions
{
    public string Id { get; set; } = "";

    /// <summary><c>chat</c> (default) or <c>embedding</c>.</summary>
    public string Type { get; set; } = ModelTypes.Chat;

    /// <summary>USD per million input tokens.</summary>
    public decimal InputPricePerMillion { get; set; }

    /// <summary>USD per million output tokens.</summary>
    public decimal OutputPricePerMillion { get; set; }

    public int? ContextWindow { get; set; }
}

public static class ModelTypes
{
    public const string Chat = "chat";
    public const string Embedding = "embedding";
}

public static class ProviderKinds
{
    public const string OpenAi = "openai";
    public const string Ollama = "ollama";
    public const string Anthropic = "anthropic";
    public const string Local = "local";
}
