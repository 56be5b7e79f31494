using System.Text.Json.Serialization;

namespace Billing.Model;

/// <summary>A spending limit in USD per UTC day or month, for the whole tenant or for one of its keys.</summary>
public sealed class Budget
{
    public Guid Id { get; set; }

    [JsonIgnore]
    public Guid TenantId { get; set; }

    /// <summary>Null for the tenant's own budget.</summary>
    public Guid? KeyId { get; set; }

    /// <summary><c>day</c> or <c>month</c>.</summary>
    public required string Period { get; set; }

    public decimal Limit { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The scope its spend is kept under in Redis.</summary>
    public string Scope => KeyId?.ToString() ?? BudgetState.TenantScope;

    public static readonly int[] AlertThresholds = [50, 80, 100];

    /// <summary>The alert thresholds (percent of the limit) that <paramref name="spent"/> has reached.</summary>
    public IEnumerable<int> ThresholdsReachedBy(decimal spent) => AlertThresholds.Where(t => spent >= Limit * t / 100);
}
