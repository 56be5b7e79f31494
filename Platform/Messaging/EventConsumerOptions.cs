namespace Platform.Messaging;

/// <summary>A durable JetStream consumer; overridable from <c>Messaging:Consumers:{Durable}</c>.</summary>
public sealed class EventConsumerOptions
{
    /// <summary>The durable consumer name, unique per consuming service and purpose.</summary>
    public string Durable { get; set; } = "";

    public EventStream Stream { get; set; } = EventStreams.Control;

    /// <summary>The subject (wildcards allowed) this consumer receives.</summary>
    public string FilterSubject { get; set; } = "";

    /// <summary>Default 5: deliveries before a message goes to the dead-letter subject.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Default 1 second, doubled per attempt with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Default 1 minute.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Default 1: events handed to a batch handler at once, at most: whatever has arrived (see <see cref="BatchLinger"/>).
    /// </summary>
    public int BatchSize { get; set; } = 1;

    /// <summary>
    /// Default zero: how long a batch consumer lets events gather when fewer than a batch are waiting, so a steady
    /// trickle costs one transaction per linger rather than one per event.
    /// </summary>
    public TimeSpan BatchLinger { get; set; }

    /// <summary>Default 30 seconds: a handler that neither acks nor fails in this time gets the message again.</summary>
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Default 1: events handled at the same time (each on its own, in its own scope).</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>
    /// Default 100 (or two batches): messages pulled ahead of the handlers. A pulled message waits its turn within its
    /// <see cref="AckWait"/>, so consumers of long jobs keep this near <see cref="Concurrency"/>.
    /// </summary>
    public int? Prefetch { get; set; }
}
