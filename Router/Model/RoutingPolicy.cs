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

    /// <summary>Constraints such as data residency (<c>region:eu</c>): every one must be among a model's tags.</summary>
    public string[] Tags { get; set; } = [];

    /// <summary><c>auto</c> (default: the Router chooses single or cascade), <c>single</c>, <c>parallel</c> or <c>cascade</c>.</summary>
    public string Strategy { get; set; } = RoutingPolicyStrategies.Auto;

    /// <summary>Free models (no price, such as a provider's free tier) first while their quota lasts; the rest by score.</summary>
    public bool FreeFirst { get; set; }

    /// <summary>Default 2: how many models a parallel route hedges.</summary>
    public int Hedge { get; set; } = 2;

    /// <summary>0 for the defaults; incremented on each change.</summary>
    public int Version { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>Takes every setting of <paramref name="other"/> (not its tenant, version or time).</summary>
    public void CopyFrom(RoutingPolicy other)
    {
        AllowedModels = other.AllowedModels;
        MaxCostPerRequest = other.MaxCostPerRequest;
        PreferredTiers = other.PreferredTiers;
        Lambda = other.Lambda;
        Tags = other.Tags;
        Strategy = other.Strategy;
        Hedge = other.Hedge;
        FreeFirst = other.FreeFirst;
    }
}

public static class RoutingPolicyStrategies
{
    public const string Auto = "auto";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Auto, RouteStrategies.Single, RouteStrategies.Parallel, RouteStrategies.Cascade };
}
