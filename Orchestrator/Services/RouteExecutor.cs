using System.Diagnostics;
using Microsoft.Extensions.AI;
using Polly.CircuitBreaker;

namespace Orchestrator.Services;

/// <summary>
/// Runs a route: each candidate through its resilience pipeline, skipping open circuits. SINGLE tries them in order
/// (falling back on provider failures, never on the client's own mistakes), PARALLEL hedges the first few and
/// cancels the losers, CASCADE goes cheapest first and escalates when an answer fails its quality check.
/// </summary>
public sealed class RouteExecutor(ProviderClients providers, ProviderResilience resilience, TokenCounter tokens)
{
    public async Task<RouteResult> ExecuteAsync(ChatExecutionRequest request, CancellationToken cancellationToken)
    {
        var attempts = new List<RouteAttempt>();
        return request.Route.Strategy switch
        {
            RouteStrategies.Parallel => await HedgeAsync(request, attempts, cancellationToken),
            RouteStrategies.Cascade => await CascadeAsync(request, attempts, cancellationToken),
            _ => await InOrderAsync(request, request.Route.Candidates, attempts, cancellationToken),
        };
    }

    /// <summary>Opens a stream on the first candidate (or, hedged, the fastest) that yields its first update.</summary>
    public async Task<StreamRoute> StreamAsync(ChatExecutionRequest request, CancellationToken cancellationToken)
    {
        var attempts = new List<RouteAttempt>();
        if (request.Route.Strategy == RouteStrategies.Cascade)
        {
            // An answer is checked whole before it is shown, so a cascade streams its final answer.
            var result = await CascadeAsync(request, attempts, cancellationToken);
            return result.Response is { } response
                ? StreamRoute.FromResponse(response, result.AnsweredBy!, attempts)
                : StreamRoute.Failed(result.Error!, attempts);
        }

        var candidates = request.Route.Candidates;
        var hedged = request.Route.Strategy == RouteStrategies.Parallel ? Available(candidates).Take(Math.Max(1, request.Route.Hedge)).ToList() : [];
        if (hedged.Count > 1)
        {
            // Each hedge on its own token: cancelling the losers must not touch the winner's stream.
            var racers = hedged.Select(candidate => (Candidate: candidate, Cancel: CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))).ToList();
            var opening = racers.ToDictionary(racer => OpenStreamAsync(racer.Candidate, request, racer.Cancel.Token), racer => racer);
            StreamRoute? winner = null;
            while (opening.Count > 0 && winner is null)
            {
                var done = await Task.WhenAny(opening.Keys);
                opening.Remove(done);
                var attempt = await done;
                attempts.Add(attempt.Attempt);
                winner = attempt.Stream;
            }
            foreach (var (loser, racer) in opening)
            {
                attempts.Add(new RouteAttempt(racer.Candidate.ToString(), AttemptOutcomes.Cancelled, 0));
                await racer.Cancel.CancelAsync();
                _ = DisposeWhenDoneAsync(loser);
            }
            if (winner is not null)
            {
                return winner with { Attempts = attempts };
            }
            candidates = [.. candidates.Except(hedged)];
        }

        ExecutionError? lastError = null;
        foreach (var candidate in candidates)
        {
            if (Skip(candidate, attempts) is { } skipped)
            {
                lastError ??= skipped;
                continue;
            }
            var attempt = await OpenStreamAsync(candidate, request, cancellationToken);
            attempts.Add(attempt.Attempt);
            if (attempt.Stream is { } stream)
            {
                return stream with { Attempts = attempts };
            }
            lastError = attempt.Error;
            if (!attempt.FallBack)
            {
                break;
            }
        }
        return StreamRoute.Failed(lastError ?? AllUnavailable(), attempts);
    }

    private async Task<RouteResult> InOrderAsync(ChatExecutionRequest request, IEnumerable<RouteCandidate> candidates, List<RouteAttempt> attempts, CancellationToken cancellationToken)
    {
        ExecutionError? lastError = null;
        foreach (var candidate in candidates)
        {
            if (Skip(candidate, attempts) is { } skipped)
            {
                lastError ??= skipped;
                continue;
            }
            var attempt = await TryAsync(candidate, request, cancellationToken);
            attempts.Add(attempt.Attempt);
            if (attempt.Response is { } response)
            {
                return new RouteResult(response, candidate, null, attempts);
            }
            lastError = attempt.Error;
            if (!attempt.FallBack)
            {
                break;
            }
        }
        return new RouteResult(null, null, lastError ?? AllUnavailable(), attempts);
    }

    private async Task<RouteResult> HedgeAsync(ChatExecutionRequest request, List<RouteAttempt> attempts, CancellationToken cancellationToken)
    {
        var hedged = Available(request.Route.Candidates).Take(Math.Max(1, request.Route.Hedge)).ToList();
        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = hedged.ToDictionary(candidate => TryAsync(candidate, request, race.Token), candidate => candidate);
        while (running.Count > 0)
        {
            var done = await Task.WhenAny(running.Keys);
            running.Remove(done, out var candidate);
            var attempt = await done;
            if (attempt.Response is { } response && AnswerQuality.Problem(response, request.Options) is null)
            {
                attempts.Add(attempt.Attempt);
                // The first good answer wins; the others are cancelled, which their providers see as a dropped request.
                await race.CancelAsync();
                foreach (var (_, loser) in running)
                {
                    attempts.Add(new RouteAttempt(loser.ToString(), AttemptOutcomes.Cancelled, 0));
                }
                return new RouteResult(response, candidate, null, attempts);
            }
            attempts.Add(attempt.Response is null ? attempt.Attempt : attempt.Attempt with { Outcome = AttemptOutcomes.Rejected });
        }
        return await InOrderAsync(request, request.Route.Candidates.Except(hedged), attempts, cancellationToken);
    }

    private async Task<RouteResult> CascadeAsync(ChatExecutionRequest request, List<RouteAttempt> attempts, CancellationToken cancellationToken)
    {
        var candidates = Available(request.Route.Candidates).ToList();
        RouteResult? fallback = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            var attempt = await TryAsync(candidates[i], request, cancellationToken);
            if (attempt.Response is not { } response)
            {
                attempts.Add(attempt.Attempt);
                fallback ??= new RouteResult(null, null, attempt.Error, attempts);
                continue;
            }
            var problem = AnswerQuality.Problem(response, request.Options);
            if (problem is null || i == candidates.Count - 1)
            {
                attempts.Add(attempt.Attempt);
                return new RouteResult(response, candidates[i], null, attempts);
            }
            // Not good enough: escalate to the next, dearer model.
            attempts.Add(attempt.Attempt with { Outcome = AttemptOutcomes.Rejected, Error = problem });
        }
        return fallback ?? new RouteResult(null, null, AllUnavailable(), attempts);
    }

    private async Task<Try> TryAsync(RouteCandidate candidate, ChatExecutionRequest request, CancellationToken cancellationToken)
    {
        var model = candidate.ToString();
        if (providers.Chat(candidate.Provider, candidate.Model) is not { } client)
        {
            return Try.Failure(model, UnknownModel(model), 0, fallBack: true);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await resilience.For(model).ExecuteAsync(
                async token => await client.GetResponseAsync(request.Messages, request.Options.ToChatOptions(candidate.Model), token),
                cancellationToken);
            response.Usage ??= tokens.Usage(request.Messages, response.Text);
            return new Try(new RouteAttempt(model, AttemptOutcomes.Succeeded, Elapsed(started)), response, null, null, false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var error = ProviderErrors.From(ex, candidate.Provider);
            return Try.Failure(model, error, Elapsed(started), ProviderErrors.CountsAgainstProvider(ex));
        }
    }

    private async Task<Try> OpenStreamAsync(RouteCandidate candidate, ChatExecutionRequest request, CancellationToken cancellationToken)
    {
        var model = candidate.ToString();
        if (providers.Chat(candidate.Provider, candidate.Model) is not { } client)
        {
            return Try.Failure(model, UnknownModel(model), 0, fallBack: true);
        }
        var started = Stopwatch.GetTimestamp();
        // The stream outlives the pipeline call, so it runs on its own token; the pipeline only bounds the first update.
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var (updates, first) = await resilience.For(model).ExecuteAsync(async attemptToken =>
            {
                using var attemptBound = attemptToken.Register(lifetime.Cancel);
                var enumerator = client.GetStreamingResponseAsync(request.Messages, request.Options.ToChatOptions(candidate.Model), lifetime.Token)
                    .GetAsyncEnumerator(lifetime.Token);
                try
                {
                    return await enumerator.MoveNextAsync() ? (enumerator, enumerator.Current) : (enumerator, null);
                }
                catch
                {
                    await enumerator.DisposeAsync();
                    throw;
                }
            }, cancellationToken);
            var attempt = new RouteAttempt(model, AttemptOutcomes.Succeeded, Elapsed(started));
            return new Try(attempt, null, new StreamRoute(candidate, first, updates, lifetime, null, []), null, false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            lifetime.Dispose();
            var error = ProviderErrors.From(ex, candidate.Provider);
            return Try.Failure(model, error, Elapsed(started), ProviderErrors.CountsAgainstProvider(ex));
        }
    }

    private static async Task DisposeWhenDoneAsync(Task<Try> loser)
    {
        try
        {
            if ((await loser).Stream is { } stream)
            {
                await stream.DisposeAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled while opening: nothing to close.
        }
    }

    // A user request never serves as the trial of a failing provider: open and half-open circuits are passed over.
    private ExecutionError? Skip(RouteCandidate candidate, List<RouteAttempt> attempts)
    {
        var model = candidate.ToString();
        if (resilience.StateOf(model) is CircuitState.Closed)
        {
            return null;
        }
        attempts.Add(new RouteAttempt(model, AttemptOutcomes.Skipped, 0, "circuit open"));
        return new ExecutionError(StatusCodes.Status503ServiceUnavailable, $"{model} is failing; its circuit is open.", "api_error", "provider_circuit_open", 1);
    }

    private IEnumerable<RouteCandidate> Available(IEnumerable<RouteCandidate> candidates) =>
        candidates.Where(candidate => resilience.StateOf(candidate.ToString()) is CircuitState.Closed);

    private static ExecutionError UnknownModel(string model) =>
        new(StatusCodes.Status404NotFound, $"The model '{model}' does not exist.", "invalid_request_error", "model_not_found");

    private static ExecutionError AllUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "Every model of this route is failing right now.", "api_error", "route_unavailable", 1);

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private sealed record Try(RouteAttempt Attempt, ChatResponse? Response, StreamRoute? Stream, ExecutionError? Error, bool FallBack)
    {
        public static Try Failure(string model, ExecutionError error, double latencyMs, bool fallBack) =>
            new(new RouteAttempt(model, AttemptOutcomes.Failed, latencyMs, error.Code), null, null, error, fallBack);
    }
}

/// <summary>A finished route: the answer and who gave it, or the error, and every attempt on the way.</summary>
public sealed record RouteResult(ChatResponse? Response, RouteCandidate? AnsweredBy, ExecutionError? Error, List<RouteAttempt> Attempts);
