namespace Orchestrator.Services;

/// <summary>
/// Tells the Router how each route went. Sent in the background: a learning signal may wait or, rarely, be lost,
/// but never holds up an answer. (Usage, which is billed, goes through the Gateway's outbox instead.)
/// </summary>
public sealed partial class RouteOutcomes(EventPublisher events, ILogger<RouteOutcomes> logger)
{
    public void Report(Guid tenantId, RoutePlan route, RouteCandidate? answeredBy, List<RouteAttempt> attempts)
    {
        var outcome = new RouteOutcomeIntegrationEvent
        {
            TenantId = tenantId,
            DecisionId = route.DecisionId,
            Intent = route.Intent,
            Strategy = route.Strategy,
            AnsweredBy = answeredBy?.ToString(),
            Attempts = [.. attempts],
        };
        _ = PublishAsync(outcome);
    }

    private async Task PublishAsync(RouteOutcomeIntegrationEvent outcome)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await events.PublishAsync(RouteOutcomeIntegrationEvent.Subject, outcome, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.NotReported(logger, ex, outcome.DecisionId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The outcome of route {DecisionId} could not be reported.")]
        public static partial void NotReported(ILogger logger, Exception exception, string? decisionId);
    }
}
