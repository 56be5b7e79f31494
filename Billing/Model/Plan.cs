namespace Billing.Model;

/// <summary>What a tenant pays for and may use. Money is decimal USD.</summary>
public sealed class Plan
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public decimal MonthlyFee { get; set; }

    /// <summary>Tokens (input and output) included each month.</summary>
    public long IncludedTokens { get; set; }

    /// <summary>Price per million tokens beyond the included ones; null when the plan stops at its quota.</summary>
    public decimal? OveragePricePerMillionTokens { get; set; }

    public int RequestsPerMinute { get; set; }

    public int TokensPerMinute { get; set; }
}
