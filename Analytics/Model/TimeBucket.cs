namespace Analytics.Model;

/// <summary>A time resolution of reports: UTC minutes, hours or days.</summary>
public sealed record TimeBucket(string Name, TimeSpan Stride)
{
    public static readonly TimeBucket Minute = new("minute", TimeSpan.FromMinutes(1));
    public static readonly TimeBucket Hour = new("hour", TimeSpan.FromHours(1));
    public static readonly TimeBucket Day = new("day", TimeSpan.FromDays(1));

    public static TimeBucket? Find(string name) =>
        new[] { Minute, Hour, Day }.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The start of the bucket <paramref name="time"/> falls in, as PostgreSQL's date_bin places it.</summary>
    public DateTimeOffset StartOf(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % Stride.Ticks, TimeSpan.Zero);
}
