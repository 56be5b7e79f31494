using Microsoft.IdentityModel.Tokens;

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

    /// <summary>How a receiver checks a token: this issuer and audience, HS256 with the shared key, 30 s of clock skew.</summary>
    public TokenValidationParameters CreateValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = InternalTokenKey.From(this),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
    };
}
