namespace Platform.Catalog;

/// <summary>An LLM provider, bound from <c>Providers:{name}</c> (for example <c>Providers__mock__Kind=openai</c>).</summary>
public sealed class ProviderOptions
{
    /// <summary><c>openai</c> (any OpenAI-compatible URL), <c>ollama</c>, <c>anthropic</c> or <c>local</c>.</summary>
    public string Kind { get; set; } = "";

    public Uri? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public List<ProviderModelOptions> Models { get; set; } = [];

    /// <summary>The account's allowance (a free tier, a contract), if it has one.</summary>
    public ProviderQuotaOptions? Quota { get; set; }
}
