using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Usage;

/// <summary>Every <c>/v1</c> request as the dashboards count it (<c>deploy/grafana</c>): requests, latency and cost.</summary>
public sealed class GatewayMetrics
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _cost;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PlatformTelemetry.MeterName);
        // Exported as agent_requests_total: Prometheus adds the suffix to counters.
        _requests = meter.CreateCounter<long>("agent_requests", description: "Requests through the OpenAI-compatible API, by tenant, model, status and cache status.");
        _latency = meter.CreateHistogram<double>("agent_latency_seconds", description: "Time from a request's arrival to its last byte, in seconds.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _cost = meter.CreateHistogram<double>("cost_per_request_dollars", description: "What a request cost at the catalog's prices, in USD.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 0.00001, 0.0001, 0.001, 0.01, 0.1, 1, 10] });
    }

    /// <summary>Labelled by tenant id, as Analytics' <c>cache_hit_rate</c> is, so one dashboard variable filters both.</summary>
    public void Record(UsageIntegrationEvent usage)
    {
        var tags = new TagList
        {
            { "tenant", usage.TenantId },
            { "endpoint", usage.Endpoint },
            { "model", usage.Model ?? "none" },
            { "provider", usage.Provider ?? "none" },
            { "status", usage.StatusCode },
            { "cache", usage.Cache },
        };
        _requests.Add(1, tags);
        _latency.Record(usage.LatencyMs / 1000, tags);
        _cost.Record((double)usage.Cost, tags);
    }
}
