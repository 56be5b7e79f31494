using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Gateway.Chat;

/// <summary>
/// An exact miss may still be a question asked before in other words: answers it from the semantic cache when one
/// is near enough, and stores each complete answer a model gave under its question.
/// </summary>
public sealed class SemanticCacheChatClient(IChatClient inner, SemanticCache cache, OrchestratorClient orchestrator) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options);
        var query = await QueryForAsync(call, cancellationToken);
        if (query is not null && await LookUpAsync(call, query) is { } similar)
        {
            return similar;
        }
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        Store(query, response);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options);
        var query = await QueryForAsync(call, cancellationToken);
        if (query is not null && await LookUpAsync(call, query) is { } similar)
        {
            foreach (var update in similar.ToChatResponseUpdates())
            {
                yield return update;
            }
            yield break;
        }
        List<ChatResponseUpdate>? streamed = query is null ? null : [];
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            streamed?.Add(update);
            yield return update;
        }
        // Reached only when the stream ended normally: a failed or abandoned one is never stored.
        if (streamed is not null)
        {
            Store(query, streamed.ToChatResponse());
        }
    }

    // Only on an exact miss or refresh (a hit never gets here); the query is made on a refresh too, to store the new answer.
    private Task<SemanticQuery?> QueryForAsync(ChatCall call, CancellationToken cancellationToken) =>
        call.Usage.Cache is CacheStatus.Miss or CacheStatus.Refresh
            ? cache.QueryForAsync(call.Key, call.Request, call.CacheKey, orchestrator, call.Usage, cancellationToken)
            : Task.FromResult<SemanticQuery?>(null);

    private async Task<ChatResponse?> LookUpAsync(ChatCall call, SemanticQuery query)
    {
        if (call.RefreshCache || await cache.GetAsync(query) is not { } similar)
        {
            return null;
        }
        call.Usage.Cache = CacheStatus.SemanticHit;
        call.Similarity = similar.Similarity;
        return similar.Response;
    }

    private void Store(SemanticQuery? query, ChatResponse response)
    {
        if (query is not null)
        {
            cache.Store(query, RouteInfo.Without(response));
        }
    }
}
