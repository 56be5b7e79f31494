namespace Platform.Messaging;

/// <summary>Headers a dead-lettered message carries besides its original ones.</summary>
public static class DeadLetterHeaders
{
    public const string Reason = "Dead-Letter-Reason";
    public const string Subject = "Dead-Letter-Subject";
    public const string Stream = "Dead-Letter-Stream";
    public const string Sequence = "Dead-Letter-Sequence";
    public const string Consumer = "Dead-Letter-Consumer";
    public const string Deliveries = "Dead-Letter-Deliveries";
}
