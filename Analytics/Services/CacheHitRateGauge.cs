using System.Diagnostics.Metrics;
using Analytics.Infrastructure;
using Analytics.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Analytics.Services;

/// <summary>
/// <c>cache_hit_rate{tenant, kind}</c>: each tenant's exact and semantic hits over its cacheable requests in the last
/// few minutes, read from the rollups (so every replica reports the whole platform's figure) in a background loop,
/// never in the scrape. Tenants without cacheable requests in the window have no series.
/// </summary>
public sealed partial class CacheHitRateGauge : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptions<AnalyticsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CacheHitRateGauge> _logger;
    private volatile IReadOnlyList<Measurement<double>> _rates = [];

    public CacheHitRateGauge(IServiceScopeFactory scopes, IOptions<AnalyticsOptions> options, TimeProvider time, IMeterFactory meters, ILogger<CacheHitRateGauge> logger)
    {
        _scopes = scopes;
        _options = options;
        _time = time;
        _logger = logger;
        meters.Create(PlatformTelemetry.MeterName).CreateObservableGauge("cache_hit_rate", () => _rates,
            description: "Per tenant, exact (kind=exact) or semantic (kind=semantic) cache hits over cacheable requests in the last 5 minutes.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.CacheHitRateRefresh, _time);
        do
        {
            try
            {
                _rates = await ReadAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The last figures stay until PostgreSQL answers again.
                Log.RefreshFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<IReadOnlyList<Measurement<double>>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        // The current minute and those before it, back to the window's length.
        var since = TimeBucket.Minute.StartOf(_time.GetUtcNow() - _options.Value.CacheHitRateWindow + TimeBucket.Minute.Stride);
        // Every tenant, without a tenant set: platform_cache_counts is the one view row-level security lets through (see its migration).
        var counts = await db.Database.SqlQuery<TenantCacheCounts>($"""
            SELECT tenant_id AS "TenantId", sum(cache_hits)::bigint AS "Hits", sum(semantic_cache_hits)::bigint AS "SemanticHits", sum(cacheable_requests)::bigint AS "Cacheable"
            FROM platform_cache_counts WHERE minute >= {since}
            GROUP BY tenant_id HAVING sum(cacheable_requests) > 0
            """).ToListAsync(cancellationToken);
        return [.. counts.SelectMany(c => new[]
        {
            Rate(c.TenantId, "exact", c.Hits, c.Cacheable),
            Rate(c.TenantId, "semantic", c.SemanticHits, c.Cacheable),
        })];
    }

    private static Measurement<double> Rate(Guid tenant, string kind, long hits, long cacheable) =>
        new((double)hits / cacheable, new KeyValuePair<string, object?>("tenant", tenant.ToString()), new KeyValuePair<string, object?>("kind", kind));

    private sealed record TenantCacheCounts(Guid TenantId, long Hits, long SemanticHits, long Cacheable);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "cache_hit_rate not refreshed; the last figures stay.")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
