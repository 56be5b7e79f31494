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
}
