namespace Analytics.Model;

/// <summary>KPIs over [<see cref="From"/>, <see cref="To"/>), in total and per group when asked.</summary>
public sealed record KpiReport(DateTimeOffset From, DateTimeOffset To, string? GroupBy, UsageFigures Totals, List<UsageFigures> Groups);

/// <summary>KPIs per time bucket (every bucket of the range, empty ones included), each split per group when asked.</summary>
public sealed record TimeseriesReport(DateTimeOffset From, DateTimeOffset To, string Interval, string? GroupBy, List<TimeseriesBucket> Buckets);

public sealed record TimeseriesBucket(DateTimeOffset Start, UsageFigures Totals, List<UsageFigures> Groups);
