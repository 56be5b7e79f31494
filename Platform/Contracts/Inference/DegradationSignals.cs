namespace Platform.Contracts;

/// <summary>
/// Redis keys through which other services tell the Router to degrade to free or cheap models: Billing when a
/// tenant passes a soft budget limit, the Orchestrators with their load.
/// </summary>
public static class DegradationSignals
{
    /// <summary>Present (with an expiry) while the tenant is past a soft budget limit.</summary>
    public static string BudgetPressureKey(Guid tenantId) => $"billing:pressure:{tenantId}";

    /// <summary>
    /// A hash with a field per Orchestrator instance: "average routes in flight over the last second|Unix ms when told".
    /// A report older than <see cref="ExecutionLoadLifetime"/> no longer counts (its instance has stopped).
    /// </summary>
    public const string ExecutionLoadKey = "orchestrator:load";

    public static readonly TimeSpan ExecutionLoadLifetime = TimeSpan.FromSeconds(5);
}
