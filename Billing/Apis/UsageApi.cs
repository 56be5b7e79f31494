using System.Globalization;
using Billing.Infrastructure;
using Billing.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Billing.Apis;

/// <summary>The calling tenant's metered usage and invoices (through the Gateway with a platform key), under RLS.</summary>
public static class UsageApi
{
    private static readonly string[] GroupBys = ["day", "model", "key"];

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/billing").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/usage", GetUsage);
        api.MapGet("/invoices/preview", PreviewInvoice);
        api.MapGet("/invoices/{month}", GetInvoice);
        return app;
    }

    /// <summary>
    /// Usage per UTC day between <paramref name="from"/> and <paramref name="to"/> (ISO dates or timestamps, taken
    /// at their UTC date, both included; default: this month so far), grouped by day, model or key.
    /// </summary>
    public static async Task<Results<Ok<UsageReport>, ValidationProblem>> GetUsage(
        string? from, string? to, string? groupBy, BillingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var errors = new Dictionary<string, string[]>();
        var first = ParseDay(from, "from", today.AddDays(1 - today.Day), errors);
        var last = ParseDay(to, "to", today, errors);
        groupBy ??= "day";
        if (!GroupBys.Contains(groupBy))
        {
            errors["groupBy"] = [$"groupBy is one of: {string.Join(", ", GroupBys)}."];
        }
        if (errors.Count == 0 && first > last)
        {
            errors["from"] = ["from must not be after to."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var days = db.UsageCounters.AsNoTracking().Where(c => c.Period == BudgetState.Day && c.PeriodStart >= first && c.PeriodStart <= last);
        var rows = await days
            .GroupBy(c => new { c.PeriodStart, c.Model, c.KeyId })
            .Select(g => new { g.Key.PeriodStart, g.Key.Model, g.Key.KeyId, Requests = g.Sum(c => c.Requests), InputTokens = g.Sum(c => c.InputTokens), OutputTokens = g.Sum(c => c.OutputTokens), Cost = g.Sum(c => c.Cost) })
            .ToListAsync(cancellationToken);
        var groups = rows
            .GroupBy(r => groupBy switch
            {
                "model" => r.Model,
                "key" => r.KeyId.ToString(),
                _ => r.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            })
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new UsageGroup(g.Key, new UsageTotals(g.Sum(r => r.Requests), g.Sum(r => r.InputTokens), g.Sum(r => r.OutputTokens), g.Sum(r => r.Cost))))
            .ToList();
        var totals = new UsageTotals(rows.Sum(r => r.Requests), rows.Sum(r => r.InputTokens), rows.Sum(r => r.OutputTokens), rows.Sum(r => r.Cost));
        return TypedResults.Ok(new UsageReport(first, last, groupBy, totals, groups));
    }

    /// <summary>This month's invoice so far: subscriptions to the month's end, usage until now.</summary>
    public static async Task<Ok<Invoice>> PreviewInvoice(BillingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return TypedResults.Ok(await Invoicing.ComputeAsync(db, today.AddDays(1 - today.Day), now, cancellationToken));
    }

    /// <summary>The invoice of a month (<c>yyyy-MM</c>): final once the month has ended.</summary>
    public static async Task<Results<Ok<Invoice>, ValidationProblem>> GetInvoice(string month, BillingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var monthStart))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["month"] = ["A month is written yyyy-MM, such as 2026-11."] });
        }
        return TypedResults.Ok(await Invoicing.ComputeAsync(db, monthStart, time.GetUtcNow(), cancellationToken));
    }

    private static DateOnly ParseDay(string? value, string name, DateOnly fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            return DateOnly.FromDateTime(timestamp.UtcDateTime);
        }
        errors[name] = [$"{name} is an ISO date (2026-11-24) or timestamp (2026-11-24T10:00:00Z)."];
        return fallback;
    }
}

public sealed record UsageReport(DateOnly From, DateOnly To, string GroupBy, UsageTotals Totals, List<UsageGroup> Groups);

public sealed record UsageGroup(string Key, UsageTotals Totals);
