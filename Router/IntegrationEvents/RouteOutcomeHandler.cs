using Router.Services;

namespace Router.IntegrationEvents;

/// <summary>
/// Learns from how routes went: each attempt's success (or failure, or rejection by a quality check) and latency
/// move the moving averages of its model for the route's intent. Skipped and cancelled attempts teach nothing.
/// Decisions made while a canary policy ran are counted for its judgement.
/// </summary>
public sealed class RouteOutcomeHandler(LearnedStatsStore stats, DecisionLog decisions, RouterMetrics metrics, TenantContext tenant, CanaryJudge canaries)
    : IIntegrationEventHandler<RouteOutcomeIntegrationEvent>
{
    public async Task HandleAsync(RouteOutcomeIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var intent = integrationEvent.Intent ?? IntentClassifier.General;
        foreach (var attempt in integrationEvent.Attempts)
        {
            var outcome = attempt.Outcome switch
            {
                AttemptOutcomes.Succeeded => 1.0,
                AttemptOutcomes.Failed or AttemptOutcomes.Rejected => 0.0,
                _ => (double?)null,
            };
            if (outcome is { } value)
            {
                await stats.RecordAsync(attempt.Model, intent, value, attempt.Outcome == AttemptOutcomes.Succeeded ? attempt.LatencyMs : null);
            }
        }
        if (integrationEvent.DecisionId is { } decisionId)
        {
            if (integrationEvent.AnsweredBy is { } answeredBy)
            {
                await decisions.AnsweredAsync(decisionId, answeredBy);
            }
            // A decision made while a canary ran counts, once, for its arm.
            if (await decisions.FindAsync(decisionId) is { Canary: { } mark } decision && decision.TenantId == integrationEvent.TenantId
                && await decisions.FirstOutcomeAsync(decisionId))
            {
                tenant.Enter(decision.TenantId);
                await canaries.RecordAsync(mark, integrationEvent.AnsweredBy, cancellationToken);
            }
        }
        if (integrationEvent.DecisionId is not null && integrationEvent.Attempts.Count > 0)
        {
            metrics.Outcome(integrationEvent.AnsweredBy != integrationEvent.Attempts[0].Model);
        }
    }
}
