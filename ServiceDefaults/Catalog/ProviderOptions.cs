namespace Microsoft.Extensions.Hosting;

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

/// <summary>Requests and/or tokens a provider account may use per day or per month.</summary>
public sealed class ProviderQuotaOptions
{
    public long? Requests { get; set; }

    public long? Tokens { get; set; }

    /// <summary><c>day</c> (default) or <c>month</c>, in UTC.</summary>
    public string Period { get; set; } = QuotaPeriods.Day;
}

public static class QuotaPeriods
{
    public const string Day = "day";
    public const string Month = "month";
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

    /// <summary><c>economy</c>, <c>standard</c> (default) or <c>premium</c>: the Router's prior for quality before it has learned.</summary>
    public string Tier { get; set; } = ModelTiers.Standard;

    /// <summary>What the model can do beyond text: <c>tools</c>, <c>json</c>, <c>vision</c>.</summary>
    public List<string> Capabilities { get; set; } = [];

    /// <summary>Constraints it satisfies, such as <c>region:eu</c>, matched against a tenant policy's tags.</summary>
    public List<string> Tags { get; set; } = [];
}

public static class ModelTiers
{
    public const string Economy = "economy";
    public const string Standard = "standard";
    public const string Premium = "premium";

    public static readonly IReadOnlyList<string> All = [Economy, Standard, Premium];
}

public static class ModelCapabilities
{
    public const string Tools = "tools";
    public const string Json = "json";
    public const string Vision = "vision";
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
