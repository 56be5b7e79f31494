using System.Globalization;
using System.Text.RegularExpressions;
using Analytics.Model;

namespace Analytics.Apis;

/// <summary>Reads the query parameters of the usage reports; each mistake is reported under its parameter's name.</summary>
public static partial class ReportParameters
{
    private static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);

    /// <summary>
    /// [from, to) from ISO 8601 dates or timestamps (UTC unless an offset is given). A date alone is the start of that
    /// UTC day for <c>from</c> and its end for <c>to</c>, so from=to=2026-11-24 is that whole day. By default the last 24 h.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To) Range(string? from, string? to, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        var end = Time("to", to, endOfDay: true, errors) ?? now;
        var start = Time("from", from, endOfDay: false, errors) ?? end - DefaultRange;
        if (start > end && errors.Count == 0)
        {
            errors["from"] = [$"from ({start:O}) is after to ({end:O})."];
        }
        return (start, end);
    }

    /// <summary>Refuses a range of more buckets than <paramref name="maxBuckets"/> (24 h of minutes by default).</summary>
    public static void Limit(string name, TimeBucket bucket, DateTimeOffset from, DateTimeOffset to, int maxBuckets, Dictionary<string, string[]> errors)
    {
        if (to - from > bucket.Stride * maxBuckets)
        {
            errors[name] = [$"from–to spans {(to - from).TotalHours:0.#} h, more than {maxBuckets} {bucket.Name} buckets: narrow the range or choose a longer {name}."];
        }
    }

    private static DateTimeOffset? Time(string name, string? value, bool endOfDay, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1) : start;
        }
        if (IsoTimestamp().IsMatch(value)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }
        // A '+' of an offset arrives as a space unless it was encoded as %2B.
        errors[name] = [$"'{value}' is not an ISO 8601 date (2026-11-24) or timestamp (2026-11-24T10:00:00Z; encode '+' as %2B)."];
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")]
    private static partial Regex IsoTimestamp();
}
