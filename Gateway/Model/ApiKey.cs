namespace Gateway.Model;

/// <summary>A tenant's API key. Only its SHA-256 hash and a short visible prefix are stored; the secret is shown once.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    /// <summary>The first characters of the key, enough to recognise it in a list (<c>sk-aip-AbCd</c>).</summary>
    public required string Prefix { get; set; }

    /// <summary>Lowercase hex SHA-256 of the whole key.</summary>
    public required string Hash { get; set; }

    public string[] Scopes { get; set; } = [ApiKeyScopes.Inference, ApiKeyScopes.Platform];

    /// <summary>Models this key may use (<c>provider/model</c> or a bare id); empty allows every model.</summary>
    public string[] AllowedModels { get; set; } = [];

    /// <summary>Overrides the plan's requests per minute for this key; null keeps the plan's.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Overrides the plan's tokens per minute for this key; null keeps the plan's.</summary>
    public int? TokensPerMinute { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary><see cref="ApiKeyKinds.Api"/> (made by hand) or <see cref="ApiKeyKinds.Session"/> (a portal sign-in).</summary>
    public string Kind { get; set; } = ApiKeyKinds.Api;

    /// <summary>The user a session was issued to, so deleting the user revokes it; null for API keys.</summary>
    public Guid? UserId { get; set; }
}

public static class ApiKeyKinds
{
    public const string Api = "api";
    public const string Session = "session";
}

public static class ApiKeyScopes
{
    /// <summary>The OpenAI-compatible API under <c>/v1</c> and the MCP server at <c>/mcp</c>.</summary>
    public const string Inference = "inference";

    /// <summary>The tenant's platform APIs (documents, usage, budgets, routing) under <c>/api/v1</c>.</summary>
    public const string Platform = "platform";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Inference, Platform };
}
