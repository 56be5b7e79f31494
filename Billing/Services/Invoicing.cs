using Billing.Infrastructure;
using Billing.Model;
using Microsoft.EntityFrameworkCore;

namespace Billing.Services;

/// <summary>
/// A month's invoice for the current tenant: the plan's fee prorated over the part of the month on each plan, the
/// usage at the catalog prices it was metered at (a line per model and prices, from the ledger, so it reconciles
/// with the usage events to the cent), and the included usage as a credit. The total is rounded to the cent once.
/// </summary>
public static class Invoicing
{
    public static async Task<Invoice> ComputeAsync(BillingDbContext db, DateOnly monthStart, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(monthStart.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = start.AddMonths(1);
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.StartsAt < end).OrderBy(s => s.StartsAt).ToListAsync(cancellationToken);
        var planIds = InForce(subscriptions, start).Select(s => s.PlanId).Distinct().ToList();
        var plans = await db.Plans.AsNoTracking().Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var usage = await db.MeteredEvents.AsNoTracking()
            .Where(e => e.OccurredAt >= start && e.OccurredAt < end)
            .GroupBy(e => new { e.Model, e.InputPricePerMillion, e.OutputPricePerMillion })
            .Select(g => new
            {
                g.Key.Model,
                g.Key.InputPricePerMillion,
                g.Key.OutputPricePerMillion,
                Requests = g.LongCount(),
                InputTokens = g.Sum(e => e.InputTokens),
                OutputTokens = g.Sum(e => e.OutputTokens),
                Cost = g.Sum(e => e.Cost),
            })
            .ToListAsync(cancellationToken);
        return Compute(monthStart, now, subscriptions, plans,
            [.. usage.Select(u => new MeteredUsage(u.Model, u.InputPricePerMillion, u.OutputPricePerMillion, u.Requests, u.InputTokens, u.OutputTokens, u.Cost))]);
    }

    /// <summary>The invoice of a month from its subscriptions (every one that started before its end, in order), their plans and its metered usage.</summary>
    internal static Invoice Compute(
        DateOnly monthStart, DateTimeOffset now, IReadOnlyList<Subscription> subscriptions, IReadOnlyDictionary<string, Plan> plans, IReadOnlyList<MeteredUsage> usage)
    {
        var start = new DateTimeOffset(monthStart.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = start.AddMonths(1);
        var monthSeconds = (decimal)(end - start).TotalSeconds;
        var lines = new List<InvoiceLine>();

        var inForce = InForce(subscriptions, start);
        var included = 0m;
        for (var i = 0; i < inForce.Count; i++)
        {
            var from = inForce[i].StartsAt > start ? inForce[i].StartsAt : start;
            var to = i + 1 < inForce.Count ? inForce[i + 1].StartsAt : end;
            if (to <= from || !plans.TryGetValue(inForce[i].PlanId, out var plan))
            {
                continue;
            }
            var share = (decimal)(to - from).TotalSeconds / monthSeconds;
            included += plan.IncludedUsage * share;
            lines.Add(new InvoiceLine("subscription", $"{plan.Name} plan, {from:yyyy-MM-dd HH:mm} to {to:yyyy-MM-dd HH:mm} UTC ({share:P2} of the month)",
                Amount: Math.Round(plan.MonthlyFee * share, 6))
            { Plan = plan.Id, From = from, To = to });
        }

        foreach (var line in usage.Where(u => u.Cost != 0).OrderBy(u => u.Model).ThenBy(u => u.InputPricePerMillion))
        {
            lines.Add(new InvoiceLine("usage", $"{line.Model}: {line.InputTokens:N0} input and {line.OutputTokens:N0} output tokens", line.Cost)
            {
                Model = line.Model,
                Requests = line.Requests,
                InputTokens = line.InputTokens,
                OutputTokens = line.OutputTokens,
                InputPricePerMillion = line.InputPricePerMillion,
                OutputPricePerMillion = line.OutputPricePerMillion,
            });
        }
        var totals = new UsageTotals(usage.Sum(u => u.Requests), usage.Sum(u => u.InputTokens), usage.Sum(u => u.OutputTokens), usage.Sum(u => u.Cost));
        var credit = Math.Min(totals.Cost, Math.Round(included, 6));
        if (credit > 0)
        {
            lines.Add(new InvoiceLine("credit", $"Included usage (${included:0.00} this month)", -credit));
        }

        return new Invoice(
            Month: monthStart.ToString("yyyy-MM"),
            PeriodStart: start,
            PeriodEnd: end,
            Status: now >= end ? "final" : "preview",
            Currency: "usd",
            Lines: lines,
            Subtotal: lines.Sum(l => l.Amount),
            Total: Math.Round(lines.Sum(l => l.Amount), 2, MidpointRounding.AwayFromZero),
            Totals: totals);
    }

    // The subscription in force when the month began, and every one that started during it.
    private static List<Subscription> InForce(IReadOnlyList<Subscription> subscriptions, DateTimeOffset start) =>
        [.. subscriptions.Where(s => s.StartsAt <= start).TakeLast(1).Concat(subscriptions.Where(s => s.StartsAt > start))];
}

/// <summary>A month's metered usage of one model at one pair of prices.</summary>
internal sealed record MeteredUsage(
    string Model, decimal InputPricePerMillion, decimal OutputPricePerMillion, long Requests, long InputTokens, long OutputTokens, decimal Cost);

public sealed record Invoice(
    string Month, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Status, string Currency,
    List<InvoiceLine> Lines, decimal Subtotal, decimal Total, UsageTotals Totals);

/// <summary>An invoice line: <c>subscription</c>, <c>usage</c> (per model and unit prices) or <c>credit</c>.</summary>
public sealed record InvoiceLine(string Type, string Description, decimal Amount)
{
    public string? Plan { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? Model { get; init; }

    public long? Requests { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    public decimal? InputPricePerMillion { get; init; }

    public decimal? OutputPricePerMillion { get; init; }
}

public sealed record UsageTotals(long Requests, long InputTokens, long OutputTokens, decimal Cost);
