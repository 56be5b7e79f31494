namespace Ingestion;

/// <summary>Bound from <c>Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    /// <summary>Default 10 MiB: the largest document text accepted.</summary>
    public int MaxDocumentBytes { get; set; } = 10 * 1024 * 1024;
}
