namespace Gateway;

/// <summary>Bound from <c>Cache</c>.</summary>
public sealed class CacheOptions
{
    /// <summary>Default true: identical chat requests of a tenant are answered from Redis.</summary>
    public bool ExactEnabled { get; set; } = true;

    /// <summary>Default one hour.</summary>
    public TimeSpan ExactTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Default true: a question asked before in other words is answered from the semantic cache (each tenant may
    /// switch it off). Every cacheable miss then embeds its question (a few milliseconds of CPU with the local model).
    /// </summary>
    public bool SemanticEnabled { get; set; } = true;

    /// <summary>
    /// Default 0.8: the least cosine similarity of two questions' embeddings for one to be a candidate for the
    /// other's answer. A candidate still has to pass <see cref="QuestionVerifier"/>.
    /// </summary>
    public float SemanticThreshold { get; set; } = 0.8f;

    /// <summary>
    /// Default 0.9: how near (cosine, word against word) a content word of one question must be to one of the
    /// other's, when their stems differ, for the verifier to count them as the same ("users" and "user" are 0.90;
    /// "ascending" and "descending" 0.82, "student" and "senior" 0.61).
    /// </summary>
    public float SemanticWordSimilarity { get; set; } = 0.9f;

    /// <summary>
    /// Default <c>local/local-embedding</c>: the embedding model (<c>provider/model</c> in the catalog) questions are
    /// compared with. The local one (MiniLM) runs in process; any other (OpenAI, Ollama, vLLM) is called through
    /// the Orchestrator on every cacheable miss, its tokens charged to the tenant as a <c>cache.embeddings</c> usage event.
    /// </summary>
    public string SemanticEmbeddingModel { get; set; } = $"{ModelCatalog.LocalProvider}/{ModelCatalog.LocalEmbeddingModel}";

    /// <summary>Default 2 seconds: a provider's embedding taking longer is given up, and the request answered without the semantic cache.</summary>
    public TimeSpan SemanticEmbeddingTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Default 0.5: requests with a higher temperature ask for variety and are not answered from the semantic cache.</summary>
    public float SemanticMaxTemperature { get; set; } = 0.5f;

    /// <summary>Default 10,000: the most questions kept per space (tenant, model, options and conversation).</summary>
    public int SemanticMaxEntries { get; set; } = 10_000;

    /// <summary>
    /// Default 100,000: the most questions a Gateway mirrors in memory across spaces (about 1.7 kB each with the
    /// local model's 384 dimensions); the least recently used spaces are dropped past it and read again when asked.
    /// </summary>
    public long SemanticMirroredEntries { get; set; } = 100_000;

    /// <summary>
    /// Default 64 (two passes of the model): answers at most waiting for their question's embedding before being
    /// stored; more misses than that at once are answered but not stored (<c>semantic_cache_stores_skipped</c>).
    /// </summary>
    public int SemanticPendingStores { get; set; } = 64;
}
