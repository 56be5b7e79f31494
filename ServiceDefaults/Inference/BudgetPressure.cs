namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Redis key whose presence says a tenant is past a soft budget limit: Billing sets it (with an expiry) and
/// the Router, seeing it, weighs cost more and puts free models first.
/// </summary>
public static class BudgetPressure
{
    public static string Key(Guid tenantId) => $"billing:pressure:{tenantId}";
}
