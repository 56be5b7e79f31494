using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Gateway.Chat;

/// <summary>
/// Answers a request asked before in the same words from Redis, whole or streamed (a streamed request hits what a
/// whole one stored, and the other way round), and stores each complete answer a model gave.
/// </summary>
public sealed class ExactCacheChatClient(IChatClient inner, ExactCache cache) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options);
        if (await LookUpAsync(call) is { } cached)
        {
            return cached;
        }
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        Store(call, response);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options);
        if (await LookUpAsync(call) is { } cached)
        {
            foreach (var update in cached.ToChatResponseUpdates())
            {
                yield return update;
            }
            yield break;
        }
        List<ChatResponseUpdate>? streamed = call.CacheKey is null ? null : [];
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            streamed?.Add(update);
            yield return update;
        }
        // Reached only when the stream ended normally: a failed or abandoned one is never stored.
        if (streamed is not null)
        {
            Store(call, streamed.ToChatResponse());
        }
    }

    private async Task<ChatResponse?> LookUpAsync(ChatCall call)
    {
        if (call.CacheKey is null)
        {
            call.Usage.Cache = CacheStatus.Bypass;
            return null;
        }
        if (call.RefreshCache)
        {
            call.Usage.Cache = CacheStatus.Refresh;
            return null;
        }
        var cached = await (call.CachedAnswer ?? cache.GetAsync(call.CacheKey));
        call.Usage.Cache = cached is null ? CacheStatus.Miss : CacheStatus.Hit;
        return cached;
    }

    // What a model answered, not what the semantic cache reused.
    private void Store(ChatCall call, ChatResponse response)
    {
        if (call.CacheKey is not null && call.Usage.Cache is not CacheStatus.SemanticHit)
        {
            cache.Store(call.CacheKey, RouteInfo.Without(response));
        }
    }
}
