namespace Microsoft.Extensions.Hosting;

/// <summary>A tenant was created on, or moved to, a plan (from the Gateway's admin API): Billing prorates from <see cref="IntegrationEvent.OccurredAt"/>.</summary>
public sealed record TenantPlanChangedIntegrationEvent : IntegrationEvent
{
    public const string Subject = "billing.tenant.plan";

    public Guid TenantId { get; init; }

    public string Plan { get; init; } = "";
}

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
