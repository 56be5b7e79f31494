using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Router.Services;

namespace Router.Apis;

public static class DecisionApi
{
    public static IEndpointRouteBuilder MapDecisionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/router").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapPost("/decide", Decide);
        api.MapPost("/feedback", Feedback);
        return app;
    }

    /// <summary>Ordered candidates and a strategy for a request; with <c>explain</c>, the features and every score.</summary>
    public static async Task<Results<Ok<RoutingDecision>, ProblemHttpResult>> Decide(
        DecisionRequest request, RoutingEngine engine, PolicyStore policies, DecisionLog decisions, TenantContext tenant, RouterMetrics metrics, CancellationToken cancellationToken)
    {
        var policy = await policies.PolicyAsync(cancellationToken);
        var intents = await policies.IntentsAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var decision = engine.Decide(request, policy, intents, request.Seed is { } seed ? new Random(seed) : Random.Shared);
        metrics.Decided(Stopwatch.GetElapsedTime(started).TotalMilliseconds, decision.Explanation!.Scores.FirstOrDefault()?.Tier);
        if (decision.Route.Candidates.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "No model fits",
                detail: $"No model satisfies the routing policy and this request: {string.Join("; ", decision.Explanation.Excluded)}.");
        }
        decisions.Record(decision.DecisionId, tenant.RequiredTenantId, decision.Intent);
        return TypedResults.Ok(request.Explain ? decision : decision with { Explanation = null });
    }

    /// <summary>An explicit quality signal on a decision's answer: thumbs up (1) or down (0), or a critic's score in between.</summary>
    public static async Task<Results<NoContent, NotFound, ValidationProblem>> Feedback(
        FeedbackRequest request, DecisionLog decisions, LearnedStatsStore stats, TenantContext tenant)
    {
        var score = request.Score ?? request.Thumbs switch { "up" => 1.0, "down" => 0.0, _ => (double?)null };
        if (score is not (>= 0 and <= 1))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["score"] = ["Give a score from 0 to 1, or thumbs up or down."] });
        }
        // Another tenant's decision is as unknown as a made-up one.
        if (await decisions.FindAsync(request.DecisionId ?? "") is not { AnsweredBy: { } model } decision || decision.TenantId != tenant.RequiredTenantId)
        {
            return TypedResults.NotFound();
        }
        await stats.RecordAsync(model, decision.Intent, score.Value, latencyMs: null);
        return TypedResults.NoContent();
    }
}

public sealed record FeedbackRequest(string? DecisionId, double? Score, string? Thumbs);
