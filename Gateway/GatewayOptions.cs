namespace Gateway;

/// <summary>Bound from <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    /// <summary>The operators' key for <c>/api/v1/admin</c> (<c>Authorization: Bearer</c>); the AppHost generates one. No key, no admin API.</summary>
    public string? AdminKey { get; set; }
}
