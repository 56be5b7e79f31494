using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Orchestrator.Services;

/// <summary>A stream committed to one model (its first update already in hand), or the error that left none.</summary>
public sealed record StreamRoute(
    RouteCandidate? AnsweredBy,
    ChatResponseUpdate? First,
    IAsyncEnumerator<ChatResponseUpdate>? Rest,
    CancellationTokenSource? Lifetime,
    ExecutionError? Error,
    List<RouteAttempt> Attempts) : IAsyncDisposable
{
    public static StreamRoute Failed(ExecutionError error, List<RouteAttempt> attempts) => new(null, null, null, null, error, attempts);

    /// <summary>A whole answer played as a stream (a cascade checks answers before showing them).</summary>
    public static StreamRoute FromResponse(ChatResponse response, RouteCandidate answeredBy, List<RouteAttempt> attempts)
    {
        var updates = response.ToChatResponseUpdates();
        return new StreamRoute(answeredBy, updates[0], Remaining(updates).GetAsyncEnumerator(), null, null, attempts);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (First is not null)
        {
            yield return First;
        }
        while (Rest is not null && await Rest.MoveNextAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Rest.Current;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Rest is not null)
        {
            await Rest.DisposeAsync();
        }
        Lifetime?.Dispose();
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Remaining(ChatResponseUpdate[] updates)
    {
        foreach (var update in updates.Skip(1))
        {
            await Task.Yield();
            yield return update;
        }
    }
}
