using System.Text.Json.Serialization;

namespace Router.Model;

/// <summary>How a tenant wants its requests routed. A tenant without a stored policy gets the defaults.</summary>
public sealed class RoutingPolicy
{
    [JsonIgnore]
    public Guid TenantId { get; set; }

    /// <summary>Models the tenant may be routed to (<c>provider/model</c>); empty allows every model in the catalog.</summary>
    public string[] AllowedModels { get; set; } = [];

    /// <summary>The most one request may cost, in USD; null for no limit.</summary>
    public decimal? MaxCostPerRequest { get; set; }

    /// <summary>Quality tiers to prefer, most preferred first.</summary>
    public string[] PreferredTiers { get; set; } = [];

    /// <summary>λ in cost + λ·error: higher values buy quality with money. Default 1.</summary>
    public double Lambda { get; set; } = 1;

    /// <summary>Constraints such as data residency (<c>region:eu</c>).</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>0 for the defaults; incremented on each change.</summary>
    public int Version { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }
}
