namespace Platform.Contracts;

/// <summary>A budget's spend crossed one of its alert thresholds (50, 80, 100 %), once per budget, period and threshold.</summary>
public sealed record BudgetAlertIntegrationEvent : IntegrationEvent
{
    public const string Subject = "billing.alert";

    public Guid TenantId { get; init; }

    public Guid BudgetId { get; init; }

    /// <summary>The key the budget is for; null for the tenant's own budget.</summary>
    public Guid? KeyId { get; init; }

    /// <summary><c>day</c> or <c>month</c>.</summary>
    public string Period { get; init; } = "";

    public DateOnly PeriodStart { get; init; }

    /// <summary>50, 80 or 100.</summary>
    public int Threshold { get; init; }

    public decimal Limit { get; init; }

    public decimal Spent { get; init; }
}
