using Billing.Services;

namespace Billing.IntegrationEvents;

/// <summary>Meters usage events exactly once (see <see cref="UsageMeter"/>), then has the budgets of their tenants with limits evaluated.</summary>
public sealed class UsageMeteringHandler(UsageMeter meter, BudgetEnforcer enforcer) : IIntegrationEventBatchHandler<UsageIntegrationEvent>
{
    public async Task HandleAsync(IReadOnlyList<UsageIntegrationEvent> integrationEvents, CancellationToken cancellationToken) =>
        enforcer.Evaluate(await meter.RecordAsync(integrationEvents, cancellationToken));
}
