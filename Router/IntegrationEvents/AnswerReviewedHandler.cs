using Router.Services;

namespace Router.IntegrationEvents;

/// <summary>
/// Learns from critics' reviews of agents' answers: a score moves its model's quality as a thumbs up or down would,
/// by degree. A review names no intent (an agent's step is not classified), so it counts for the general one.
/// </summary>
public sealed class AnswerReviewedHandler(LearnedStatsStore stats) : IIntegrationEventHandler<AnswerReviewedIntegrationEvent>
{
    public Task HandleAsync(AnswerReviewedIntegrationEvent integrationEvent, CancellationToken cancellationToken) =>
        stats.RecordAsync(integrationEvent.Model, IntentClassifier.General, Math.Clamp(integrationEvent.Score, 0, 1), latencyMs: null);
}
