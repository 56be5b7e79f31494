using System.Globalization;

namespace Benchmarks;

/// <summary>The samples of one or more services' <c>/metrics</c> (Prometheus text), read together: replicas add up.</summary>
public sealed class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    public static async Task<PrometheusText> ScrapeAsync(HttpClient http, IEnumerable<Uri> replicas)
    {
        var scrape = new PrometheusText();
        foreach (var replica in replicas)
        {
            foreach (var line in (await http.GetStringAsync(new Uri(replica, "/metrics"))).Split('\n'))
            {
                if (line.Length > 0 && line[0] != '#')
                {
                    scrape._samples.Add(Parse(line));
                }
            }
        }
        return scrape;
    }

    /// <summary>The sum of a metric's samples, or of those whose labels contain <paramref name="label"/> (<c>action="closed"</c>, say).</summary>
    public double Sum(string name, string? label = null) =>
        _samples.Where(s => s.Name == name && (label is null || s.Labels.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);

    /// <summary>What a histogram recorded between <paramref name="before"/> and <paramref name="after"/>: its buckets' counts, cumulative.</summary>
    public static Histogram Between(PrometheusText before, PrometheusText after, string name)
    {
        static SortedDictionary<double, double> Buckets(PrometheusText scrape, string name)
        {
            var buckets = new SortedDictionary<double, double>();
            foreach (var (_, labels, value) in scrape._samples.Where(s => s.Name == $"{name}_bucket"))
            {
                var le = labels[(labels.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
                var bound = le.StartsWith("+Inf", StringComparison.Ordinal) ? double.PositiveInfinity : double.Parse(le[..le.IndexOf('"', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                buckets[bound] = buckets.GetValueOrDefault(bound) + value;
            }
            return buckets;
        }
        var (first, last) = (Buckets(before, name), Buckets(after, name));
        return new Histogram([.. last.Select(b => (b.Key, b.Value - first.GetValueOrDefault(b.Key)))],
            after.Sum($"{name}_sum") - before.Sum($"{name}_sum"));
    }

    // name{labels} value [timestamp]
    private static (string, string, double) Parse(string line)
    {
        var open = line.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? line.IndexOf(' ', StringComparison.Ordinal) : line.LastIndexOf('}');
        var value = line[(close + 1)..].Trim().Split(' ')[0];
        return (line[..(open < 0 ? close : open)], open < 0 ? "" : line[(open + 1)..close],
            value switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN, _ => double.Parse(value, CultureInfo.InvariantCulture) });
    }
}

/// <summary>A histogram's cumulative bucket counts by upper bound, and the sum of what it recorded.</summary>
public sealed record Histogram(IReadOnlyList<(double Bound, double Count)> Buckets, double Sum)
{
    public double Count => Buckets.Count > 0 ? Buckets[^1].Count : 0;

    /// <summary>As Prometheus's <c>histogram_quantile</c>: linear within the bucket the quantile falls in; the last finite bound past them all.</summary>
    public double Quantile(double share)
    {
        var rank = share * Count;
        var (lower, below) = (0.0, 0.0);
        foreach (var (bound, count) in Buckets)
        {
            if (count >= rank && count > below)
            {
                return double.IsPositiveInfinity(bound) ? lower : lower + (bound - lower) * (rank - below) / (count - below);
            }
            (lower, below) = (bound, count);
        }
        return lower;
    }
}
