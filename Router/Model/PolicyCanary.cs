using System.Text.Json.Serialization;

namespace Router.Model;

/// <summary>
/// A candidate policy serving a share of a tenant's decisions beside the stable one, until it is promoted, or
/// rolled back because its error rate or cost regressed against the stable policy's.
/// </summary>
public sealed class PolicyCanary
{
    [JsonIgnore]
    public Guid TenantId { get; set; }

    public RoutingPolicy Policy { get; set; } = new();

    /// <summary>The share of decisions (0..1) made under the canary.</summary>
    public double Share { get; set; }

    public string Status { get; set; } = CanaryStatuses.Running;

    /// <summary>Why it ended, when it did.</summary>
    public string? Reason { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }
}

public static class CanaryStatuses
{
    public const string Running = "running";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolled_back";
    public const string Aborted = "aborted";
}

/// <summary>Which policy a decision was made under.</summary>
public static class PolicyArms
{
    public const string Stable = "stable";
    public const string Canary = "canary";
}
