namespace Platform.Contracts;

/// <summary>
/// The budget state Billing keeps in Redis and the Gateway reads on every request, in integer nano-dollars (exact
/// in Lua's doubles up to about nine million USD). Per tenant, in one hash slot: a <c>limits</c> hash (the limit
/// of each budget by scope and period, and <c>blocked</c> when a tenant-wide hard limit is reached), and a
/// <c>spend</c> hash per scope and period holding what was <c>spent</c> and what is reserved by requests in flight.
/// </summary>
public static class BudgetState
{
    public const string Day = "day";
    public const string Month = "month";

    /// <summary>The scope of a tenant-wide budget; a key's budget is scoped by the key's id.</summary>
    public const string TenantScope = "tenant";

    public const string BlockedField = "blocked";
    public const string StatusField = "status";

    public static string LimitsKey(Guid tenantId) => $"billing:{{{tenantId}}}:limits";

    public static string LimitField(string scope, string period) => $"{scope}:{period}";

    /// <summary>The spend of a scope in the UTC day or month that holds <paramref name="at"/>.</summary>
    public static string SpendKey(Guid tenantId, string scope, string period, DateTimeOffset at) =>
        $"billing:{{{tenantId}}}:spend:{scope}:{(period == Day ? at.UtcDateTime.ToString("yyyyMMdd") : at.UtcDateTime.ToString("yyyyMM"))}";

    /// <summary>How long a period's spend is kept: past its end, for a late capture.</summary>
    public static TimeSpan SpendLifetime(string period) => period == Day ? TimeSpan.FromDays(2) : TimeSpan.FromDays(40);

    public static long ToNanos(decimal dollars) => (long)Math.Round(dollars * 1_000_000_000m, MidpointRounding.AwayFromZero);

    public static decimal ToDollars(long nanos) => nanos / 1_000_000_000m;

    /// <summary>When the UTC day or month holding <paramref name="at"/> ends: when a budget refusal lifts.</summary>
    public static DateTimeOffset PeriodEnd(string period, DateTimeOffset at)
    {
        var day = new DateTimeOffset(at.UtcDateTime.Date, TimeSpan.Zero);
        return period == Day ? day.AddDays(1) : day.AddDays(1 - day.Day).AddMonths(1);
    }
}
