namespace Platform.Tenancy;

/// <summary>The internal tokens the Gateway mints for the services behind it, bound from <c>InternalTokens</c>.</summary>
public sealed class InternalTokenOptions
{
    /// <summary>Base64 HMAC-SHA256 key of at least 32 bytes, shared by the Gateway and the services; the AppHost generates it.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Default "ai-platform-gateway".</summary>
    public string Issuer { get; set; } = "ai-platform-gateway";

    /// <summary>Default "ai-platform".</summary>
    public string Audience { get; set; } = "ai-platform";

    /// <summary>Default 5 minutes: a token lives for one request and its retries.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);
}
