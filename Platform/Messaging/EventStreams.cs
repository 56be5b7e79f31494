namespace Platform.Messaging;

/// <summary>The streams every service may publish to; provisioning is idempotent, so any service may create them.</summary>
public static class EventStreams
{
    public static readonly EventStream Usage = new("USAGE", "usage.>", TimeSpan.FromDays(7));
    public static readonly EventStream Tools = new("TOOLS", "tool.>", TimeSpan.FromDays(7));
    /// <summary>Agent runs to execute: a run's job comes back to another replica if the one running it dies.</summary>
    public static readonly EventStream Agents = new("AGENTS", "agent.>", TimeSpan.FromDays(7));
    public static readonly EventStream Ingestion = new("INGESTION", "ingestion.>", TimeSpan.FromDays(7));
    public static readonly EventStream Control = new("CONTROL", "control.>", TimeSpan.FromDays(1));

    /// <summary>Plan changes and budget alerts: facts money depends on, kept as long as usage may be disputed.</summary>
    public static readonly EventStream Billing = new("BILLING", "billing.>", TimeSpan.FromDays(30));

    /// <summary>Messages that kept failing, kept long enough for an operator to look and replay.</summary>
    public static readonly EventStream DeadLetter = new("DEADLETTER", "deadletter.>", TimeSpan.FromDays(30));

    public static IReadOnlyList<EventStream> All { get; } = [Usage, Tools, Agents, Ingestion, Control, Billing, DeadLetter];

    public static string DeadLetterSubject(string subject) => $"deadletter.{subject}";
}
