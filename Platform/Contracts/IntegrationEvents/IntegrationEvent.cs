namespace Platform.Contracts;

/// <summary>A fact one service tells the others over JetStream. The id makes publishing and handling idempotent.</summary>
public abstract record IntegrationEvent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public DateTimeOffset OccurredAt { get; init; } = DateTimeOffset.UtcNow;
}
