namespace Billing.Model;

/// <summary>A tenant on a plan from <see cref="StartsAt"/> until its next subscription starts.</summary>
public sealed class Subscription
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string PlanId { get; set; }

    public DateTimeOffset StartsAt { get; set; }
}
