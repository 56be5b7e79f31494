using Billing.Infrastructure;
using Billing.Model;
using Billing.Services;
using Microsoft.EntityFrameworkCore;

namespace Billing.IntegrationEvents;

/// <summary>Starts a subscription when a tenant is created on, or moved to, a plan; the event id keeps it idempotent.</summary>
public sealed class TenantPlanChangedHandler(BillingDbContext db, TenantContext tenant, BudgetEnforcer enforcer) : IIntegrationEventHandler<TenantPlanChangedIntegrationEvent>
{
    public async Task HandleAsync(TenantPlanChangedIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        tenant.Enter(integrationEvent.TenantId);
        if (await db.Subscriptions.AnyAsync(s => s.Id == integrationEvent.Id, cancellationToken))
        {
            return;
        }
        db.Subscriptions.Add(new Subscription
        {
            Id = integrationEvent.Id,
            TenantId = integrationEvent.TenantId,
            PlanId = integrationEvent.Plan,
            StartsAt = integrationEvent.OccurredAt,
        });
        await db.SaveChangesAsync(cancellationToken);
        enforcer.Evaluate([integrationEvent.TenantId]);
    }
}
