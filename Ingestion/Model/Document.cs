using System.Text.Json.Serialization;

namespace Ingestion.Model;

/// <summary>A tenant's document, stored raw before any processing so that nothing is lost, then extracted and chunked by a job.</summary>
public sealed class Document
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public required string ContentType { get; set; }

    /// <summary>The bytes as uploaded.</summary>
    public required byte[] RawContent { get; set; }

    /// <summary>The cleaned text extracted from <see cref="RawContent"/>; null until the job has run.</summary>
    public string? Text { get; set; }

    /// <summary>SHA-256 of the raw content: the same content uploaded twice is one document.</summary>
    public required string ContentHash { get; set; }

    public long SizeBytes { get; set; }

    public DocumentStatus Status { get; set; } = DocumentStatus.Queued;

    /// <summary>Why the last processing attempt failed; kept with <see cref="DocumentStatus.Failed"/>.</summary>
    public string? Reason { get; set; }

    public int ChunkCount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ProcessedAt { get; set; }
}

/// <summary>A piece of a document small enough to embed and to put in a model's context, under its heading.</summary>
public sealed class DocumentChunk
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid DocumentId { get; set; }

    public int Index { get; set; }

    /// <summary>The nearest heading above the chunk, if the document has headings.</summary>
    public string? Heading { get; set; }

    public required string Text { get; set; }

    public int TokenCount { get; set; }

    /// <summary>The chunk's embedding (normalised); null until it is embedded.</summary>
    public float[]? Embedding { get; set; }

    /// <summary>
    /// The model (and, for the local one, its revision) that made <see cref="Embedding"/>; null for chunks embedded
    /// before models were recorded. Only vectors of the configured model are searched; others are embedded again.
    /// </summary>
    public string? EmbeddingModel { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<DocumentStatus>))]
public enum DocumentStatus
{
    [JsonStringEnumMemberName("queued")]
    Queued,

    [JsonStringEnumMemberName("processing")]
    Processing,

    [JsonStringEnumMemberName("indexed")]
    Indexed,

    [JsonStringEnumMemberName("failed")]
    Failed,
}
