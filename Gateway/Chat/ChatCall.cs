using Gateway.Model;
using Microsoft.Extensions.AI;

namespace Gateway.Chat;

/// <summary>
/// One chat request as the pipeline's stages see it: who asks, what they asked, and what each stage found (the
/// limits, the cache, the route, the sources). It rides in <see cref="ChatOptions.AdditionalProperties"/>, and the
/// endpoint turns it into response headers; the <see cref="UsageRecord"/> becomes the usage event.
/// </summary>
public sealed class ChatCall
{
    private const string PropertyName = "gateway.call";

    public required TenantKey Key { get; init; }

    public required ChatCompletionRequest Request { get; init; }

    public required UsageRecord Usage { get; init; }

    /// <summary>About four bytes a token: what the request's input may count before a model has read it.</summary>
    public required long InputTokenEstimate { get; init; }

    /// <summary>The models a request names, looked up and checked once; empty for <c>auto</c> until the Router decides.</summary>
    public required IReadOnlyList<CatalogModel> Candidates { get; init; }

    /// <summary>The route the Orchestrator runs: planned from the named models, or the Router's decision.</summary>
    public RoutePlan? Route { get; set; }

    /// <summary>The exact cache's key, or null when the request may not use the caches.</summary>
    public string? CacheKey { get; init; }

    /// <summary><c>Cache-Control: no-cache</c>: answer afresh and store that answer in place of the old.</summary>
    public bool RefreshCache { get; init; }

    /// <summary>
    /// The exact cache's entry, read as the call enters the pipeline: a read, so it travels to Redis with admission's
    /// commands rather than after them; the exact cache stage answers from it only once the call is admitted.
    /// </summary>
    public Task<ChatResponse?>? CachedAnswer { get; init; }

    public RateLimitDecision? Limit { get; set; }

    public float? Similarity { get; set; }

    public List<Citation>? Citations { get; set; }

    public ChatOptions ToOptions() => new() { AdditionalProperties = new() { [PropertyName] = this } };

    public static ChatCall Of(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PropertyName, out var call) == true && call is ChatCall found
            ? found
            : throw new InvalidOperationException("The gateway's chat pipeline needs the ChatCall in its options.");
}

/// <summary>A chat call refused or failed, with the OpenAI error to answer and the route it took, if any.</summary>
public sealed class ChatCallException(ExecutionError error, RouteInfo? route = null) : Exception(error.Message)
{
    public ExecutionError Error { get; } = error;

    public RouteInfo? Route { get; } = route;
}
