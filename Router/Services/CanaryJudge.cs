using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Router.Infrastructure;
using Router.Model;
using StackExchange.Redis;

namespace Router.Services;

/// <summary>
/// Compares a canary policy with the stable one on the outcomes of their decisions (error rate, and cost priced
/// from the catalog at each decision's token estimate), in Redis so every replica's outcomes count. A canary that
/// regresses is rolled back; one that holds long enough becomes the stable policy.
/// </summary>
public sealed partial class CanaryJudge(
    IConnectionMultiplexer redis, RouterDbContext db, PolicyStore policies, ModelCatalog catalog, IOptions<RoutingOptions> options,
    TimeProvider time, ILogger<CanaryJudge> logger)
{
    public async Task RecordAsync(CanaryMark mark, string? answeredBy, CancellationToken cancellationToken)
    {
        var tokens = mark.ExpectedTokens.Split('/');
        var cost = answeredBy is null ? 0 : catalog.Find(answeredBy).Model?.CostOf(long.Parse(tokens[0], CultureInfo.InvariantCulture), long.Parse(tokens[1], CultureInfo.InvariantCulture)) ?? 0;
        var database = redis.GetDatabase();
        var key = Key(mark.CanaryId);
        var batch = database.CreateBatch();
        _ = batch.HashIncrementAsync(key, $"{mark.Arm}:n");
        _ = batch.HashIncrementAsync(key, $"{mark.Arm}:errors", answeredBy is null ? 1 : 0);
        _ = batch.HashIncrementAsync(key, $"{mark.Arm}:cost", (double)cost);
        _ = batch.KeyExpireAsync(key, TimeSpan.FromDays(30));
        var figures = batch.HashGetAllAsync(key);
        batch.Execute();
        var (stable, canary) = Arms(await figures);
        if (Verdict(stable, canary, options.Value) is { } verdict)
        {
            await EndAsync(mark.CanaryId, verdict.Status, verdict.Reason, cancellationToken);
        }
    }

    /// <summary>
    /// Whether a canary ends, and why: rolled back when its error rate or cost regressed against the stable policy's,
    /// promoted when it held long enough; null while either arm has too few outcomes to judge, or it is still on trial.
    /// </summary>
    internal static (string Status, string Reason)? Verdict(ArmFigures stable, ArmFigures canary, RoutingOptions settings)
    {
        if (stable.Outcomes < settings.CanaryMinimumOutcomes || canary.Outcomes < settings.CanaryMinimumOutcomes)
        {
            return null;
        }
        if (canary.ErrorRate > stable.ErrorRate + settings.CanaryErrorTolerance)
        {
            return (CanaryStatuses.RolledBack,
                string.Create(CultureInfo.InvariantCulture, $"error rate {canary.ErrorRate:P1} against {stable.ErrorRate:P1} under the stable policy"));
        }
        if (canary.CostPerRequest > stable.CostPerRequest * (1 + (decimal)settings.CanaryCostTolerance) && canary.CostPerRequest > 0)
        {
            return (CanaryStatuses.RolledBack,
                string.Create(CultureInfo.InvariantCulture, $"cost per request {canary.CostPerRequest:0.########} USD against {stable.CostPerRequest:0.########} USD under the stable policy"));
        }
        return canary.Outcomes >= settings.CanaryPromoteAfter
            ? (CanaryStatuses.Promoted,
                string.Create(CultureInfo.InvariantCulture, $"held for {canary.Outcomes} requests: error rate {canary.ErrorRate:P1}, cost per request {canary.CostPerRequest:0.########} USD"))
            : null;
    }

    /// <summary>The figures of a canary's two arms so far.</summary>
    public async Task<(ArmFigures Stable, ArmFigures Canary)> FiguresAsync(PolicyCanary canary) =>
        Arms(await redis.GetDatabase().HashGetAllAsync(Key(CanaryId(canary))));

    /// <summary>Ends the tenant's running canary (if <paramref name="canaryId"/> is still it); a promoted one becomes the stable policy.</summary>
    public async Task<PolicyCanary?> EndAsync(string canaryId, string status, string reason, CancellationToken cancellationToken)
    {
        var canary = await db.PolicyCanaries.FirstOrDefaultAsync(c => c.Status == CanaryStatuses.Running, cancellationToken);
        if (canary is null || CanaryId(canary) != canaryId)
        {
            return null;
        }
        canary.Status = status;
        canary.Reason = reason;
        canary.EndedAt = time.GetUtcNow();
        if (status == CanaryStatuses.Promoted)
        {
            var stable = await db.RoutingPolicies.FirstOrDefaultAsync(cancellationToken);
            if (stable is null)
            {
                stable = new RoutingPolicy { TenantId = canary.TenantId };
                db.RoutingPolicies.Add(stable);
            }
            stable.CopyFrom(canary.Policy);
            stable.Version = canary.Policy.Version;
            stable.UpdatedAt = canary.EndedAt;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another replica ended it first.
            return null;
        }
        policies.Forget();
        Log.Ended(logger, canary.TenantId, status, reason);
        return canary;
    }

    public static string CanaryId(PolicyCanary canary) => canary.StartedAt.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static RedisKey Key(string canaryId) => $"router:canary:{canaryId}";

    internal static (ArmFigures Stable, ArmFigures Canary) Arms(HashEntry[] entries)
    {
        var values = entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        ArmFigures Arm(string arm)
        {
            var outcomes = long.Parse(values.GetValueOrDefault($"{arm}:n", "0"), CultureInfo.InvariantCulture);
            var errors = long.Parse(values.GetValueOrDefault($"{arm}:errors", "0"), CultureInfo.InvariantCulture);
            var cost = decimal.Parse(values.GetValueOrDefault($"{arm}:cost", "0"), NumberStyles.Float, CultureInfo.InvariantCulture);
            return new ArmFigures(outcomes, outcomes == 0 ? 0 : (double)errors / outcomes, outcomes == 0 ? 0 : Math.Round(cost / outcomes, 10));
        }
        return (Arm(PolicyArms.Stable), Arm(PolicyArms.Canary));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Canary policy of tenant {TenantId} {Status}: {Reason}.")]
        public static partial void Ended(ILogger logger, Guid tenantId, string status, string reason);
    }
}

/// <summary>How the decisions under one arm of a canary went.</summary>
public sealed record ArmFigures(long Outcomes, double ErrorRate, decimal CostPerRequest);
