namespace Platform.Contracts;

/// <summary>A critic's score of an answer a model wrote for an agent run: a quality signal the Router learns from.</summary>
public sealed record AnswerReviewedIntegrationEvent : IntegrationEvent
{
    public const string Subject = "usage.review";

    public Guid TenantId { get; init; }

    public Guid RunId { get; init; }

    /// <summary>The model that wrote the answer, as <c>provider/model</c>.</summary>
    public string Model { get; init; } = "";

    /// <summary>From 0 to 1.</summary>
    public double Score { get; init; }
}
