namespace Realtime;

/// <summary>How <c>/ws/chat</c> holds connections and sessions (section <c>Realtime</c>).</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>What a connection may have waiting to be sent, in bytes, before it is closed with 1013.</summary>
    public int SendQueueBytes { get; set; } = 256 * 1024;

    /// <summary>What a connection may have waiting to be sent, in events, before it is closed with 1013.</summary>
    public int SendQueueEvents { get; set; } = 1024;

    /// <summary>The largest message a client may send; a larger one closes the socket with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a client that could not keep up has to take its close before the socket is dropped.</summary>
    public TimeSpan SlowClientCloseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a generation runs on with no socket on its session, waiting for a resume, before it is cancelled.</summary>
    public TimeSpan GraceTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a session's events are kept for a resume after its last activity.</summary>
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many of a session's latest events are kept for a resume.</summary>
    public int SessionEventsLimit { get; set; } = 10_000;

    /// <summary>The longest a generation may run; it also bounds a crashed replica's hold on its session.</summary>
    public TimeSpan MaxGenerationTime { get; set; } = TimeSpan.FromMinutes(10);
}
