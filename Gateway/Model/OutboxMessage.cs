namespace Gateway.Model;

/// <summary>
/// An event NATS could not take when it happened, kept until it can. A delivery queue of the platform's own: the
/// tenant is inside the payload, and only the Gateway's dispatcher reads it back.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    public required string Subject { get; set; }

    public required string Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
