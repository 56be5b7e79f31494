namespace Platform.Messaging;

/// <summary>A JetStream stream of the platform: its name, the subjects it captures and how long it keeps them.</summary>
public sealed record EventStream(string Name, string Subjects, TimeSpan MaxAge);
