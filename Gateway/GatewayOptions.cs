namespace Gateway;

/// <summary>Bound from <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    /// <summary>The operators' key for <c>/api/v1/admin</c> (<c>Authorization: Bearer</c>); the AppHost generates one. No key, no admin API.</summary>
    public string? AdminKey { get; set; }

    /// <summary>The <c>demo</c> tenant's key, seeded on start when set; the AppHost generates one into <c>.data/demo-key</c>.</summary>
    public string? DemoKey { get; set; }

    /// <summary>Default 4 MiB: the largest request body accepted on <c>/v1</c>.</summary>
    public long MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Default 1024: the output tokens a request that sets no <c>max_tokens</c> is assumed to cost when its price is
    /// reserved against the tenant's budgets (settled to the true cost afterwards).
    /// </summary>
    public int BudgetOutputTokenEstimate { get; set; } = 1024;

    /// <summary>Default 8 hours: how long a portal session key (<c>POST /api/v1/auth/sessions</c>) lives.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}
