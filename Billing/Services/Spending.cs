using Billing.Infrastructure;
using Billing.Model;
using Microsoft.EntityFrameworkCore;

namespace Billing.Services;

/// <summary>What the current tenant has spent today and this month (UTC), in total and per key, from the counters.</summary>
public sealed class Spending
{
    private readonly Dictionary<string, decimal> _byField;

    private Spending(DateOnly today, Dictionary<string, decimal> byField)
    {
        Today = today;
        MonthStart = today.AddDays(1 - today.Day);
        _byField = byField;
    }

    public DateOnly Today { get; }

    public DateOnly MonthStart { get; }

    /// <summary>The spend under a <see cref="BudgetState.LimitField"/> (<c>tenant:day</c>, <c>{keyId}:month</c>, …).</summary>
    public decimal Of(string field) => _byField.GetValueOrDefault(field);

    public static async Task<Spending> ReadAsync(BillingDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var monthStart = today.AddDays(1 - today.Day);
        var perKey = await db.UsageCounters
            .Where(c => (c.Period == BudgetState.Day && c.PeriodStart == today) || (c.Period == BudgetState.Month && c.PeriodStart == monthStart))
            .GroupBy(c => new { c.Period, c.KeyId })
            .Select(g => new { g.Key.Period, g.Key.KeyId, Cost = g.Sum(c => c.Cost) })
            .ToListAsync(cancellationToken);
        return From(today, [.. perKey.Select(k => (k.Period, k.KeyId, k.Cost))]);
    }

    /// <summary>The spend of each key in the day and month holding <paramref name="today"/>, and the tenant's as their sum.</summary>
    internal static Spending From(DateOnly today, IReadOnlyList<(string Period, Guid KeyId, decimal Cost)> perKey)
    {
        var byField = perKey.ToDictionary(k => BudgetState.LimitField(k.KeyId.ToString(), k.Period), k => k.Cost);
        foreach (var period in new[] { BudgetState.Day, BudgetState.Month })
        {
            byField[BudgetState.LimitField(BudgetState.TenantScope, period)] = perKey.Where(k => k.Period == period).Sum(k => k.Cost);
        }
        return new Spending(today, byField);
    }

    /// <summary>The plan the current tenant is on at <paramref name="at"/>; null when Billing has not heard of one.</summary>
    public static async Task<Plan?> CurrentPlanAsync(BillingDbContext db, DateTimeOffset at, CancellationToken cancellationToken) =>
        await db.Subscriptions.Where(s => s.StartsAt <= at).OrderByDescending(s => s.StartsAt).Select(s => s.PlanId).FirstOrDefaultAsync(cancellationToken) is { } planId
            ? await db.Plans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == planId, cancellationToken)
            : null;
}
