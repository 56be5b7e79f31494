namespace Platform.Contracts;

public static class AttemptOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>Not tried: its circuit was open.</summary>
    public const string Skipped = "skipped";

    /// <summary>Answered, but the answer failed its quality check (cascade).</summary>
    public const string Rejected = "rejected";

    /// <summary>Stopped because another hedged attempt won.</summary>
    public const string Cancelled = "cancelled";
}
