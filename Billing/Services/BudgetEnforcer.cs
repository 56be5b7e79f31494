using System.Collections.Concurrent;
using Billing.Infrastructure;
using Billing.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Billing.Services;

/// <summary>
/// Turns metered spend into the enforcement state the Gateway reads (<see cref="BudgetState"/>): each tenant's
/// limits, <c>blocked</c> once a tenant-wide hard limit is reached, the Router's budget-pressure flag past a soft
/// limit, the Gateway's spend raised to what was metered (a capture lost on the way is made good), and one alert
/// per budget, period and threshold. Tenants are evaluated right after their usage is metered and every
/// <see cref="BillingOptions.SweepInterval"/>.
/// </summary>
public sealed partial class BudgetEnforcer(
    IServiceScopeFactory scopes, IConnectionMultiplexer redis, EventPublisher events, TimeProvider time, IOptions<BillingOptions> options, ILogger<BudgetEnforcer> logger)
    : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);

    // KEYS: spend keys; ARGV: the metered spend of each (nanos) and the keys' lifetime (ms). Spend only ever rises to the metered figure.
    private const string ReconcileScript = """
        for i = 1, #KEYS do
          local spent = tonumber(redis.call('HGET', KEYS[i], 'spent')) or 0
          if tonumber(ARGV[i]) > spent then
            redis.call('HSET', KEYS[i], 'spent', ARGV[i])
            redis.call('PEXPIRE', KEYS[i], ARGV[#KEYS + i])
          end
        end
        return 1
        """;

    private readonly ConcurrentDictionary<Guid, byte> _pending = new();
    private readonly SemaphoreSlim _signal = new(0);
    // One evaluation at a time: each replaces a tenant's whole state, so one that read the database earlier must not land later.
    private readonly SemaphoreSlim _evaluating = new(1);

    /// <summary>Asks for <paramref name="tenantIds"/> to be evaluated soon (within about 100 ms).</summary>
    public void Evaluate(IEnumerable<Guid> tenantIds)
    {
        foreach (var tenantId in tenantIds)
        {
            _pending.TryAdd(tenantId, 0);
        }
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>
    /// Evaluates <paramref name="tenantId"/> now, for a change the caller must see enforced when it is answered (a
    /// budget or plan set); if that fails, the tenant is evaluated again soon, as after usage.
    /// </summary>
    public async Task EnforceAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        try
        {
            await EvaluateAsync(tenantId, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.EvaluationFailed(logger, ex, tenantId);
            Evaluate([tenantId]);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = nextSweep - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await _signal.WaitAsync(wait, stoppingToken);
                // Let a burst of batches gather, so a busy tenant is evaluated once for many of them.
                await Task.Delay(Debounce, stoppingToken);
            }
            if (time.GetUtcNow() >= nextSweep)
            {
                nextSweep = time.GetUtcNow() + options.Value.SweepInterval;
                await SweepAsync(stoppingToken);
            }
            foreach (var tenantId in _pending.Keys)
            {
                _pending.TryRemove(tenantId, out _);
                await TryEvaluateAsync(tenantId, stoppingToken);
            }
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BillingDbContext>();
            foreach (var tenantId in await db.BilledTenants.Where(t => t.HasLimits).Select(t => t.TenantId).ToListAsync(stoppingToken))
            {
                _pending.TryAdd(tenantId, 0);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.SweepFailed(logger, ex);
        }
    }

    private async Task TryEvaluateAsync(Guid tenantId, CancellationToken stoppingToken)
    {
        try
        {
            await EvaluateAsync(tenantId, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Tried again at the next batch or sweep; the Gateway keeps enforcing the last state meanwhile.
            Log.EvaluationFailed(logger, ex, tenantId);
        }
    }

    private async Task EvaluateAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await _evaluating.WaitAsync(cancellationToken);
        try
        {
            await EvaluateUnderLockAsync(tenantId, cancellationToken);
        }
        finally
        {
            _evaluating.Release();
        }
    }

    private async Task EvaluateUnderLockAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<BillingDbContext>();
        var now = time.GetUtcNow();
        var spend = await Spending.ReadAsync(db, now, cancellationToken);
        var plan = await Spending.CurrentPlanAsync(db, now, cancellationToken);
        var budgets = await db.Budgets.AsNoTracking().ToListAsync(cancellationToken);

        var (limits, reached, pressure) = Evaluate(budgets, plan, spend, options.Value.SoftLimitRatio);

        await WriteStateAsync(tenantId, limits, reached, plan, spend, pressure, now);
        // Registers the tenant too (a plan or budget may come before its first usage), so sweeps visit it.
        var hasLimits = limits.Count > 0 || plan?.SoftLimit is not null;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO billed_tenants (tenant_id, has_limits) VALUES ({tenantId}, {hasLimits})
            ON CONFLICT (tenant_id) DO UPDATE SET has_limits = excluded.has_limits
            """, cancellationToken);
        await RaiseAlertsAsync(db, tenantId, budgets, spend, now, cancellationToken);
    }

    /// <summary>
    /// The limits the Gateway reserves against, per scope and period (the tenant's month capped by its plan too), the
    /// tenant-wide limit reached if one is, and whether spend is past a soft limit.
    /// </summary>
    internal static (Dictionary<string, decimal> Limits, string? Reached, bool Pressure) Evaluate(
        IEnumerable<Budget> budgets, Plan? plan, Spending spend, decimal softLimitRatio)
    {
        var limits = budgets.ToDictionary(b => BudgetState.LimitField(b.Scope, b.Period), b => b.Limit);
        var monthField = BudgetState.LimitField(BudgetState.TenantScope, BudgetState.Month);
        if (plan?.MonthlyCap is { } cap)
        {
            limits[monthField] = Math.Min(cap, limits.GetValueOrDefault(monthField, decimal.MaxValue));
        }

        // Tenant-wide limits block outright (cache hits too); a key's budget refuses through the Gateway's reservations.
        var reached = limits.Where(l => l.Key.StartsWith(BudgetState.TenantScope, StringComparison.Ordinal) && spend.Of(l.Key) >= l.Value).Select(l => l.Key).FirstOrDefault();
        var softLimits = limits.Select(l => (l.Key, Soft: l.Value * softLimitRatio));
        if (plan?.SoftLimit is { } planSoft)
        {
            softLimits = softLimits.Append((monthField, planSoft));
        }
        return (limits, reached, softLimits.Any(l => spend.Of(l.Key) >= l.Soft));
    }

    private async Task WriteStateAsync(
        Guid tenantId, Dictionary<string, decimal> limits, string? reached, Plan? plan, Spending spend, bool pressure, DateTimeOffset now)
    {
        var database = redis.GetDatabase();
        var limitsKey = BudgetState.LimitsKey(tenantId);
        var fields = limits.Select(l => new HashEntry(l.Key, BudgetState.ToNanos(l.Value)))
            .Append(new HashEntry(BudgetState.StatusField, plan?.HardLimitStatus ?? StatusCodes.Status429TooManyRequests));
        if (reached is not null)
        {
            var period = reached.EndsWith(BudgetState.Day, StringComparison.Ordinal) ? BudgetState.Day : BudgetState.Month;
            fields = fields
                .Append(new HashEntry(BudgetState.BlockedField, $"The tenant's {(period == BudgetState.Day ? "daily" : "monthly")} limit of ${limits[reached]:0.00####} is reached (${spend.Of(reached):0.00####} spent)."))
                .Append(new HashEntry("blocked_until", BudgetState.PeriodEnd(period, now).ToUnixTimeSeconds()));
        }
        // Replaced whole, in one transaction, so the Gateway never sees half of a state.
        var transaction = database.CreateTransaction();
        _ = transaction.KeyDeleteAsync(limitsKey);
        _ = transaction.HashSetAsync(limitsKey, [.. fields]);
        var pressureKey = DegradationSignals.BudgetPressureKey(tenantId);
        _ = pressure ? transaction.StringSetAsync(pressureKey, "1", options.Value.PressureLifetime) : transaction.KeyDeleteAsync(pressureKey);
        await transaction.ExecuteAsync();

        var scopes = limits.Keys.Select(f => f.Split(':')[0]).Append(BudgetState.TenantScope).Distinct().ToList();
        var periods = new[] { BudgetState.Day, BudgetState.Month };
        var spendKeys = scopes.SelectMany(s => periods.Select(p => (Key: (RedisKey)BudgetState.SpendKey(tenantId, s, p, now), Field: BudgetState.LimitField(s, p), Period: p))).ToList();
        await database.ScriptEvaluateAsync(ReconcileScript, [.. spendKeys.Select(k => k.Key)],
            [.. spendKeys.Select(k => (RedisValue)BudgetState.ToNanos(spend.Of(k.Field))), .. spendKeys.Select(k => (RedisValue)(long)BudgetState.SpendLifetime(k.Period).TotalMilliseconds)]);
    }

    /// <summary>Records each threshold crossed once (a unique index decides), then publishes what is not yet published.</summary>
    private async Task RaiseAlertsAsync(BillingDbContext db, Guid tenantId, List<Budget> budgets, Spending spend, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var budget in budgets)
        {
            var spent = spend.Of(BudgetState.LimitField(budget.Scope, budget.Period));
            var periodStart = budget.Period == BudgetState.Day ? spend.Today : spend.MonthStart;
            foreach (var threshold in budget.ThresholdsReachedBy(spent))
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO budget_alerts (id, tenant_id, budget_id, key_id, period, period_start, threshold, "limit", spent, created_at)
                    VALUES ({Guid.CreateVersion7()}, {tenantId}, {budget.Id}, {budget.KeyId}, {budget.Period}, {periodStart}, {threshold}, {budget.Limit}, {spent}, {now})
                    ON CONFLICT (budget_id, period_start, threshold) DO NOTHING
                    """, cancellationToken);
            }
        }

        foreach (var alert in await db.BudgetAlerts.Where(a => a.PublishedAt == null).OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken))
        {
            // The alert's id is the message id: publishing again after a crash is stored once.
            await events.PublishAsync(BudgetAlertIntegrationEvent.Subject, new BudgetAlertIntegrationEvent
            {
                Id = alert.Id,
                OccurredAt = alert.CreatedAt,
                TenantId = tenantId,
                BudgetId = alert.BudgetId,
                KeyId = alert.KeyId,
                Period = alert.Period,
                PeriodStart = alert.PeriodStart,
                Threshold = alert.Threshold,
                Limit = alert.Limit,
                Spent = alert.Spent,
            }, cancellationToken);
            alert.PublishedAt = time.GetUtcNow();
            Log.Alert(logger, tenantId, alert.Threshold, alert.Period, alert.BudgetId);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _signal.Dispose();
        _evaluating.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Evaluating the budgets of tenant {TenantId} failed; trying again later.")]
        public static partial void EvaluationFailed(ILogger logger, Exception exception, Guid tenantId);

        [LoggerMessage(2, LogLevel.Warning, "Listing the tenants with limits failed; trying again later.")]
        public static partial void SweepFailed(ILogger logger, Exception exception);

        [LoggerMessage(3, LogLevel.Information, "Tenant {TenantId} crossed {Threshold} % of its budget {BudgetId} for the {Period}.")]
        public static partial void Alert(ILogger logger, Guid tenantId, int threshold, string period, Guid budgetId);
    }
}
