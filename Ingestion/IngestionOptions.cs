namespace Ingestion;

/// <summary>Bound from <c>Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    /// <summary>Default 10 MiB: the largest document accepted.</summary>
    public int MaxDocumentBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Default 400: the most tokens (o200k) in a chunk.</summary>
    public int ChunkTokens { get; set; } = 400;

    /// <summary>Default 50: tokens a chunk repeats from the end of the one before it.</summary>
    public int ChunkOverlapTokens { get; set; } = 50;

    /// <summary>
    /// Default <c>local/local-embedding</c>: the model that embeds chunks and queries, as <c>provider/model</c> of the
    /// provider configuration (<c>Providers:*</c>). The local one (MiniLM) runs in process; any other is
    /// called through the Orchestrator. Changing it needs the documents processed again (vectors of two models don't compare).
    /// </summary>
    public string EmbeddingModel { get; set; } = $"{ModelCatalog.LocalProvider}/{ModelCatalog.LocalEmbeddingModel}";

    /// <summary>What chunks record as their embedding's model: <see cref="EmbeddingModel"/>, with the local model's revision.</summary>
    public string EmbeddingModelRevision => EmbeddingModel == $"{ModelCatalog.LocalProvider}/{ModelCatalog.LocalEmbeddingModel}"
        ? $"{EmbeddingModel}@{LocalEmbeddingGenerator.Revision}"
        : EmbeddingModel;

    /// <summary>
    /// Default 0.25: in hybrid search, a chunk scores its cosine with the query plus this times the share of the
    /// query's words (weighted by rarity) its text holds. Chosen on half of the labelled retrieval set (the
    /// <c>retrieval</c> benchmark), between 0.2 and 0.3, where recall@5 was best on both halves.
    /// </summary>
    public double HybridTextWeight { get; set; } = 0.25;

    /// <summary>Default <c>document_chunks</c>: the Qdrant collection all tenants' chunks share, when a <c>qdrant</c> connection string is set.</summary>
    public string QdrantCollection { get; set; } = "document_chunks";
}
