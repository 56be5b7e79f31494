namespace Analytics.Model;

/// <summary>Proof that a <see cref="PlatformPingIntegrationEvent"/> crossed the bus, with the trace it arrived in.</summary>
public sealed class PingReceipt
{
    public Guid Id { get; set; }

    public string? TraceId { get; set; }

    public DateTimeOffset PublishedAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
