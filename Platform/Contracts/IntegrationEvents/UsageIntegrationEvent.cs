namespace Platform.Contracts;

/// <summary>
/// One per request through the Gateway's <c>/v1</c> API (and one more for a semantic-cache embedding by a provider), and one per provider embedding Ingestion made for a tenant, hit or miss, success or error: what Billing meters
/// (exactly once, by <see cref="IntegrationEvent.Id"/>), Analytics folds into read models and the Router learns from.
/// </summary>
public sealed record UsageIntegrationEvent : IntegrationEvent
{
    public const string Subject = "usage.request";

    public Guid TenantId { get; init; }

    public Guid KeyId { get; init; }

    /// <summary>
    /// <c>chat.completions</c>, <c>embeddings</c> or <c>models</c>; <c>agent.step</c>, a chat completion an agent run
    /// made with its token (<see cref="RunId"/>); or <c>cache.embeddings</c>, the provider embedding the semantic cache
    /// asked for a chat request (an event of its own, sharing the request's trace); or, from Ingestion,
    /// <c>ingestion.embeddings</c> (a document processed) and <c>ingestion.search</c> (a search).
    /// </summary>
    public string Endpoint { get; init; } = "";

    /// <summary>The agent run a model call was made for; null for a call made with a tenant key itself.</summary>
    public Guid? RunId { get; init; }

    /// <summary>The model that answered, as <c>provider/model</c>; null when the request never reached one.</summary>
    public string? Model { get; init; }

    public string? Provider { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    /// <summary>USD, from the catalog's prices; zero for cache hits.</summary>
    public decimal Cost { get; init; }

    /// <summary>The USD prices per million tokens <see cref="Cost"/> was computed from (zero when nothing was charged).</summary>
    public decimal InputPricePerMillion { get; init; }

    public decimal OutputPricePerMillion { get; init; }

    public double LatencyMs { get; init; }

    /// <summary>
    /// <c>miss</c>, <c>hit</c> (exact), <c>semantic-hit</c>, <c>bypass</c> (not cacheable or not asked), or <c>none</c>
    /// (never got that far).
    /// </summary>
    public string Cache { get; init; } = CacheStatus.None;

    public bool Stream { get; init; }

    public int StatusCode { get; init; }

    public string? ErrorCode { get; init; }

    public string? TraceId { get; init; }
}
