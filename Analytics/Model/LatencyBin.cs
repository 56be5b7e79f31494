namespace Analytics.Model;

/// <summary>How many requests of a <see cref="UsageRollup"/> took a latency within one <see cref="LatencySketch"/> bin.</summary>
public sealed class LatencyBin
{
    public Guid TenantId { get; set; }

    public DateTimeOffset Minute { get; set; }

    public string Model { get; set; } = "";

    public string Provider { get; set; } = "";

    public Guid KeyId { get; set; }

    public int Bin { get; set; }

    public long Count { get; set; }
}
