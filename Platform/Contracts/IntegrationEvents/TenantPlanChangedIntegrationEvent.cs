namespace Platform.Contracts;

/// <summary>A tenant was created on, or moved to, a plan (from the Gateway's admin API): Billing prorates from <see cref="IntegrationEvent.OccurredAt"/>.</summary>
public sealed record TenantPlanChangedIntegrationEvent : IntegrationEvent
{
    public const string Subject = "billing.tenant.plan";

    public Guid TenantId { get; init; }

    public string Plan { get; init; } = "";
}
