using System.Security.Cryptography;
using Billing.Infrastructure;
using Billing.Model;
using Billing.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Billing.Apis;

/// <summary>The calling tenant's budgets, their alerts and the webhook the alerts go to, under RLS.</summary>
public static class BudgetsApi
{
    public static IEndpointRouteBuilder MapBudgetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/billing").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/budgets", ListBudgets);
        api.MapPut("/budgets", PutBudget);
        api.MapDelete("/budgets/{id:guid}", DeleteBudget);
        api.MapGet("/alerts", ListAlerts);
        api.MapGet("/webhook", GetWebhook);
        api.MapPut("/webhook", PutWebhook);
        api.MapDelete("/webhook", DeleteWebhook);
        api.MapGet("/subscription", GetSubscription);
        return app;
    }

    public static async Task<Ok<List<BudgetStatus>>> ListBudgets(BillingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var spend = await Spending.ReadAsync(db, time.GetUtcNow(), cancellationToken);
        var budgets = await db.Budgets.AsNoTracking().OrderBy(b => b.KeyId).ThenBy(b => b.Period).ToListAsync(cancellationToken);
        return TypedResults.Ok(budgets.ConvertAll(b => BudgetStatus.Of(b, spend.Of(BudgetState.LimitField(b.Scope, b.Period)))));
    }

    /// <summary>Sets the tenant's (no <c>keyId</c>) or a key's daily or monthly budget, enforced by the time it is answered.</summary>
    public static async Task<Results<Ok<BudgetStatus>, ValidationProblem>> PutBudget(
        BudgetRequest request, BillingDbContext db, TenantContext tenant, BudgetEnforcer enforcer, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Period is not (BudgetState.Day or BudgetState.Month))
        {
            errors["period"] = ["The period is 'day' or 'month'."];
        }
        if (request.Limit is not (> 0 and <= 1_000_000_000))
        {
            errors["limit"] = ["The limit is an amount in USD above 0 and at most 1,000,000,000."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var budget = await db.Budgets.FirstOrDefaultAsync(b => b.KeyId == request.KeyId && b.Period == request.Period, cancellationToken);
        if (budget is null)
        {
            budget = new Budget { Id = Guid.CreateVersion7(), TenantId = tenant.RequiredTenantId, KeyId = request.KeyId, Period = request.Period!, CreatedAt = time.GetUtcNow() };
            db.Budgets.Add(budget);
        }
        budget.Limit = request.Limit!.Value;
        await db.SaveChangesAsync(cancellationToken);
        await enforcer.EnforceAsync(tenant.RequiredTenantId, cancellationToken);
        var spend = await Spending.ReadAsync(db, time.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(BudgetStatus.Of(budget, spend.Of(BudgetState.LimitField(budget.Scope, budget.Period))));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteBudget(Guid id, BillingDbContext db, TenantContext tenant, BudgetEnforcer enforcer, CancellationToken cancellationToken)
    {
        if (await db.Budgets.Where(b => b.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return TypedResults.NotFound();
        }
        await enforcer.EnforceAsync(tenant.RequiredTenantId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The latest alerts first, each with how its webhook delivery went.</summary>
    public static async Task<Ok<List<AlertView>>> ListAlerts(BillingDbContext db, CancellationToken cancellationToken)
    {
        var alerts = await db.BudgetAlerts.AsNoTracking().OrderByDescending(a => a.CreatedAt).Take(200).ToListAsync(cancellationToken);
        var ids = alerts.ConvertAll(a => a.Id);
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Where(d => ids.Contains(d.AlertId)).ToDictionaryAsync(d => d.AlertId, cancellationToken);
        return TypedResults.Ok(alerts.ConvertAll(a => new AlertView(a, deliveries.GetValueOrDefault(a.Id))));
    }

    public static async Task<Results<Ok<WebhookView>, NotFound>> GetWebhook(BillingDbContext db, CancellationToken cancellationToken) =>
        await db.Webhooks.AsNoTracking().Select(w => new WebhookView(w.Url, w.CreatedAt)).FirstOrDefaultAsync(cancellationToken) is { } webhook
            ? TypedResults.Ok(webhook)
            : TypedResults.NotFound();

    /// <summary>Sets where alerts go; the answer holds a new signing secret, shown this once.</summary>
    public static async Task<Results<Ok<WebhookCreated>, ValidationProblem>> PutWebhook(
        WebhookRequest request, BillingDbContext db, TenantContext tenant, PublicAddresses addresses, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || request.Url!.Length > 2048)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = ["The url is an absolute http(s) URL of at most 2048 characters."] });
        }
        if (await addresses.RefusalAsync(url, cancellationToken) is { } refusal)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = [refusal] });
        }
        var secret = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
        var webhook = await db.Webhooks.FirstOrDefaultAsync(cancellationToken);
        if (webhook is null)
        {
            webhook = new Webhook { TenantId = tenant.RequiredTenantId, Url = url.ToString(), Secret = secret, CreatedAt = time.GetUtcNow() };
            db.Webhooks.Add(webhook);
        }
        webhook.Url = url.ToString();
        webhook.Secret = secret;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new WebhookCreated(webhook.Url, secret));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteWebhook(BillingDbContext db, CancellationToken cancellationToken) =>
        await db.Webhooks.ExecuteDeleteAsync(cancellationToken) == 0 ? TypedResults.NotFound() : TypedResults.NoContent();

    /// <summary>The tenant's plan now and its history, as Billing prorates it.</summary>
    public static async Task<Ok<SubscriptionView>> GetSubscription(BillingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var history = await db.Subscriptions.AsNoTracking().OrderByDescending(s => s.StartsAt).Take(50).ToListAsync(cancellationToken);
        return TypedResults.Ok(new SubscriptionView(await Spending.CurrentPlanAsync(db, time.GetUtcNow(), cancellationToken), history));
    }
}

public sealed record BudgetRequest(Guid? KeyId, string? Period, decimal? Limit);

public sealed record BudgetStatus(Guid Id, Guid? KeyId, string Period, decimal Limit, decimal Spent, decimal Remaining, decimal UsedPercent)
{
    public static BudgetStatus Of(Budget budget, decimal spent) =>
        new(budget.Id, budget.KeyId, budget.Period, budget.Limit, spent, Math.Max(0, budget.Limit - spent), Math.Round(spent / budget.Limit * 100, 2));
}

public sealed record AlertView(BudgetAlert Alert, WebhookDelivery? Delivery);

public sealed record WebhookRequest(string? Url);

public sealed record WebhookCreated(string Url, string Secret);

/// <summary>A webhook as its tenant sees it: never its secret.</summary>
public sealed record WebhookView(string Url, DateTimeOffset CreatedAt);

public sealed record SubscriptionView(Model.Plan? Plan, List<Subscription> History);
