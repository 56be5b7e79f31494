using System.Diagnostics.Metrics;

namespace Router.Services;

/// <summary>The Router's own instruments, named as the dashboards expect them.</summary>
public sealed class RouterMetrics
{
    private readonly Histogram<double> _decisionLatency;
    private readonly Counter<long> _tiers;
    private long _outcomes;
    private long _misroutes;

    public RouterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PlatformTelemetry.MeterName);
        _decisionLatency = meter.CreateHistogram<double>("router_decision_latency_ms", description: "Time to decide a route, in milliseconds.");
        _tiers = meter.CreateCounter<long>("router_tier_distribution", description: "Decisions by the tier of their first candidate.");
        meter.CreateObservableGauge("router_misroute_rate", () => _outcomes == 0 ? 0 : (double)_misroutes / _outcomes,
            description: "Share of routed requests not answered by their first candidate (failed, skipped or escalated).");
    }

    public void Decided(double milliseconds, string? tier)
    {
        _decisionLatency.Record(milliseconds);
        _tiers.Add(1, new KeyValuePair<string, object?>("tier", tier ?? "none"));
    }

    public void Outcome(bool misrouted)
    {
        Interlocked.Increment(ref _outcomes);
        if (misrouted)
        {
            Interlocked.Increment(ref _misroutes);
        }
    }
}
