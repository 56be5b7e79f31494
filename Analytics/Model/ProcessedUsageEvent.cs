namespace Analytics.Model;

/// <summary>A usage event already folded into the rollups: a redelivery or a duplicate finds it here and counts nothing.</summary>
public sealed class ProcessedUsageEvent
{
    public Guid EventId { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
