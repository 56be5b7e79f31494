namespace Gateway.Model;

/// <summary>What the hot path knows of a presented key and its tenant; cached in memory and in Redis.</summary>
public sealed record TenantKey(
    Guid KeyId,
    Guid TenantId,
    string TenantName,
    string Plan,
    bool TenantActive,
    bool CacheEnabled,
    string[] Scopes,
    string[] AllowedModels,
    int? RequestsPerMinute,
    int? TokensPerMinute,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    // Last, with a default: a key cached in Redis before the setting existed reads as enabled.
    bool SemanticCacheEnabled = true)
{
    public static TenantKey From(ApiKey key, Tenant tenant) => new(
        key.Id, tenant.Id, tenant.Name, tenant.Plan, tenant.Status == TenantStatus.Active, tenant.CacheEnabled,
        key.Scopes, key.AllowedModels, key.RequestsPerMinute, key.TokensPerMinute, key.ExpiresAt, key.RevokedAt,
        tenant.CacheEnabled && tenant.SemanticCacheEnabled);
}
