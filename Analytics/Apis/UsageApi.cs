using System.Globalization;
using Analytics.Model;
using Analytics.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Analytics.Apis;

/// <summary>The calling tenant's usage KPIs, read from the rollups under row-level security.</summary>
public static class UsageApi
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/analytics").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapGet("/kpis", GetKpis);
        api.MapGet("/timeseries", GetTimeseries);
        return app;
    }

    /// <summary>KPIs over the range, in total and, with <c>groupBy</c>, per model, provider, key, minute, hour or day.</summary>
    public static async Task<Results<Ok<KpiReport>, ValidationProblem>> GetKpis(
        string? from, string? to, string? groupBy, UsageQueries queries, TimeProvider time, IOptions<AnalyticsOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var (start, end) = ReportParameters.Range(from, to, time.GetUtcNow(), errors);
        TimeBucket? bucket = null;
        UsageDimension? dimension = null;
        if (!string.IsNullOrEmpty(groupBy))
        {
            bucket = TimeBucket.Find(groupBy);
            dimension = UsageDimension.Find(groupBy);
            if (bucket is null && dimension is null)
            {
                errors["groupBy"] = [$"Unknown groupBy '{groupBy}': use model, provider, key, minute, hour or day."];
            }
        }
        if (bucket is not null && errors.Count == 0)
        {
            ReportParameters.Limit("groupBy", bucket, start, end, options.Value.MaxBuckets, errors);
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tallies = await queries.ReadAsync(start, end, bucket, dimension, cancellationToken);
        List<UsageFigures> groups = bucket is not null
            ? [.. tallies.OrderBy(t => t.Key.Bucket).Select(t => t.Value.ToFigures(t.Key.Bucket!.Value.ToString(TimeFormat, CultureInfo.InvariantCulture)))]
            : dimension is not null ? Ranked(tallies) : [];
        return TypedResults.Ok(new KpiReport(start, end, bucket?.Name ?? dimension?.Name, Sum(tallies.Values).ToFigures(), groups));
    }

    /// <summary>KPIs per minute, hour (default) or day over the range, each bucket split per <c>groupBy</c> when given.</summary>
    public static async Task<Results<Ok<TimeseriesReport>, ValidationProblem>> GetTimeseries(
        string? from, string? to, string? interval, string? groupBy, UsageQueries queries, TimeProvider time, IOptions<AnalyticsOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var (start, end) = ReportParameters.Range(from, to, time.GetUtcNow(), errors);
        var bucket = string.IsNullOrEmpty(interval) ? TimeBucket.Hour : TimeBucket.Find(interval);
        if (bucket is null)
        {
            errors["interval"] = [$"Unknown interval '{interval}': use minute, hour or day."];
        }
        var dimension = string.IsNullOrEmpty(groupBy) ? null : UsageDimension.Find(groupBy);
        if (!string.IsNullOrEmpty(groupBy) && dimension is null)
        {
            errors["groupBy"] = [$"Unknown groupBy '{groupBy}': use model, provider or key."];
        }
        if (bucket is not null && errors.Count == 0)
        {
            ReportParameters.Limit("interval", bucket, start, end, options.Value.MaxBuckets, errors);
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tallies = await queries.ReadAsync(start, end, bucket, dimension, cancellationToken);
        var byBucket = tallies.ToLookup(t => t.Key.Bucket!.Value);
        var buckets = new List<TimeseriesBucket>();
        for (var bucketStart = bucket!.StartOf(start); bucketStart < end; bucketStart += bucket.Stride)
        {
            var cells = byBucket[bucketStart].ToDictionary();
            buckets.Add(new TimeseriesBucket(bucketStart, Sum(cells.Values).ToFigures(), dimension is null ? [] : Ranked(cells)));
        }
        return TypedResults.Ok(new TimeseriesReport(start, end, bucket.Name, dimension?.Name, buckets));
    }

    private static UsageTally Sum(IEnumerable<UsageTally> tallies)
    {
        var sum = new UsageTally();
        foreach (var tally in tallies)
        {
            sum.Add(tally);
        }
        return sum;
    }

    // The busiest first.
    private static List<UsageFigures> Ranked(Dictionary<(DateTimeOffset? Bucket, string? Key), UsageTally> tallies) =>
        [.. tallies.OrderByDescending(t => t.Value.Requests).ThenBy(t => t.Key.Key, StringComparer.Ordinal).Select(t => t.Value.ToFigures(t.Key.Key))];
}
