using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;

namespace Gateway.Apis;

/// <summary>What operators watch: the services' health, the providers' circuits, and the requests that failed.</summary>
public static class PlatformStatusApi
{
    public static RouteGroupBuilder MapPlatformStatusApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/health", GetHealth);
        admin.MapGet("/providers", GetProviders);
        admin.MapGet("/errors", GetErrors);
        return admin;
    }

    public static async Task<Ok<PlatformHealth>> GetHealth(HttpRequest request, PlatformHealthProbe probe, CancellationToken cancellationToken) =>
        TypedResults.Ok(await probe.CheckAsync($"{request.Scheme}://{request.Host}", cancellationToken));

    /// <summary>The Orchestrator's providers, models and circuit states.</summary>
    public static Task<IResult> GetProviders(OrchestratorClient orchestrator, CancellationToken cancellationToken) =>
        orchestrator.GetProvidersAsync(cancellationToken);

    /// <summary>The latest <paramref name="limit"/> (1–500, default 50) requests answered with an error, newest first.</summary>
    public static async Task<Results<Ok<RecentErrorList>, ValidationProblem, ProblemHttpResult>> GetErrors(RecentErrors errors, int limit = 50)
    {
        if (limit is < 1 or > RecentErrors.Capacity)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"The limit is 1 to {RecentErrors.Capacity}."] });
        }
        try
        {
            return TypedResults.Ok(new RecentErrorList(await errors.ReadAsync(limit)));
        }
        catch (RedisException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "Redis, which keeps the recent errors, is unavailable.");
        }
    }
}

public sealed record RecentErrorList(List<RecentError> Errors);
