namespace Platform.Contracts;

/// <summary>
/// Redis keys through which other services tell the Router to degrade to free or cheap models: Billing when a
/// tenant passes a soft budget limit, the Orchestrators with their load.
/// </summary>
public static class DegradationSignals
{
    /// <summary>Present (with an expiry) while the tenant is past a soft budget limit.</summary>
    public static string BudgetPressureKey(Guid tenantId) => $"billing:pressure:{tenantId}";

    /// <summary>Followed by an Orchestrator instance's id: its average number of routes in flight over the last second.</summary>
    public const string ExecutionLoadPrefix = "orchestrator:load:";
}
