namespace Gateway;

/// <summary>Bound from <c>Cache</c>.</summary>
public sealed class CacheOptions
{
    /// <summary>Default true: identical chat requests of a tenant are answered from Redis.</summary>
    public bool ExactEnabled { get; set; } = true;

    /// <summary>Default one hour.</summary>
    public TimeSpan ExactTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Default false: whether a question asked before in other words is answered from the semantic cache. Off by
    /// default because every cacheable miss then scans its space (with the lexical embedder, up to
    /// <see cref="SemanticMaxEntries"/> vectors), which cut miss throughput about threefold in the load test.
    /// </summary>
    public bool SemanticEnabled { get; set; }

    /// <summary>
    /// Default 0.9: the least cosine similarity of two questions for one to reuse the other's answer. Conservative: with
    /// the built-in lexical embedder, questions must share nearly all their words and most of their word pairs.
    /// </summary>
    public float SemanticThreshold { get; set; } = 0.9f;

    /// <summary>
    /// Default <c>local/local-embedding</c>: the embedding model (<c>provider/model</c> in the catalog) questions are
    /// compared with. The local one is lexical and runs in process; any other (OpenAI, Ollama, vLLM) is called through
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
    /// lexical embedder's 384 dimensions); the least recently used spaces are dropped past it and read again when asked.
    /// </summary>
    public long SemanticMirroredEntries { get; set; } = 100_000;
}
