using System.Text.Json.Serialization;

namespace Billing.Model;

/// <summary>
/// What a tenant pays for and may spend: a monthly fee (prorated when the plan changes mid-month) that includes
/// <see cref="IncludedUsage"/> of usage at catalog prices; usage beyond it is billed at catalog prices when the
/// plan allows overage, and refused when it does not. Money is decimal USD.
/// </summary>
public sealed class Plan
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public decimal MonthlyFee { get; set; }

    /// <summary>Usage (at catalog prices) the fee covers each month.</summary>
    public decimal IncludedUsage { get; set; }

    /// <summary>Whether usage beyond <see cref="IncludedUsage"/> is billed (true) or refused (false: a hard limit there).</summary>
    public bool AllowsOverage { get; set; }

    /// <summary>Monthly spend from which the Router is told to prefer cheaper models; null: 80 % of the hard limit.</summary>
    public decimal? SoftLimit { get; set; }

    /// <summary>Monthly spend at which requests are refused; null: none beyond the tenant's own budgets.</summary>
    public decimal? HardLimit { get; set; }

    /// <summary>429 (OpenAI's <c>insufficient_quota</c>) or 402 (Payment Required) when a hard limit is reached.</summary>
    public int HardLimitStatus { get; set; } = 429;

    /// <summary>Shown for reference; the Gateway enforces rate limits from its own configuration.</summary>
    public int RequestsPerMinute { get; set; }

    public int TokensPerMinute { get; set; }

    /// <summary>Set for a custom plan: the one tenant it was made for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? TenantId { get; set; }

    /// <summary>The monthly spend at which this plan refuses, if any.</summary>
    public decimal? MonthlyCap => AllowsOverage ? HardLimit : Math.Min(IncludedUsage, HardLimit ?? decimal.MaxValue);
}
