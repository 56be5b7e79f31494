using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Router.Model;
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
        DecisionRequest request, IntentClassifier classifier, RoutingEngine engine, PolicyStore policies, DecisionLog decisions, TenantContext tenant,
        RouterMetrics metrics, StatsRefresher refresher, IOptions<RoutingOptions> options, CancellationToken cancellationToken)
    {
        await refresher.BeforeReadingAsync();
        var policy = await policies.PolicyAsync(cancellationToken);
        var canary = await policies.CanaryAsync(cancellationToken);
        var intents = await policies.IntentsAsync(cancellationToken);
        var pressure = await policies.UnderBudgetPressureAsync();
        var started = Stopwatch.GetTimestamp();
        // The embedding is the one costly step, done before the decision so that the engine stays synchronous and free of I/O.
        var intent = await classifier.ClassifyAsync(request.Text, request.InputTokens, intents, cancellationToken);
        var random = request.Seed is { } seed ? new Random(seed) : Random.Shared;
        // While a canary runs, its share of decisions is made under its policy, and every decision is marked with its arm.
        var arm = canary is not null && random.NextDouble() < canary.Share ? PolicyArms.Canary : PolicyArms.Stable;
        var decision = engine.Decide(request, intent, arm == PolicyArms.Canary ? canary!.Policy : policy, random, pressure);
        metrics.Decided(Stopwatch.GetElapsedTime(started).TotalMilliseconds, decision.Explanation!.Scores.FirstOrDefault()?.Tier);
        if (decision.Route.Candidates.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "No model fits",
                detail: $"No model satisfies the routing policy and this request: {string.Join("; ", decision.Explanation.Excluded)}.");
        }
        var tokens = $"{request.InputTokens}/{request.MaxOutputTokens ?? options.Value.ExpectedOutputTokens}";
        decisions.Record(decision.DecisionId, tenant.RequiredTenantId, decision.Intent, canary is null ? null : new CanaryMark(arm, CanaryJudge.CanaryId(canary), tokens));
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
