using System.Text.Json.Serialization;

namespace Ingestion.Model;

/// <summary>A tenant's document, stored raw before any processing so that nothing is lost.</summary>
public sealed class Document
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public required string ContentType { get; set; }

    public required string Content { get; set; }

    /// <summary>SHA-256 of the content: the same content uploaded twice is one document.</summary>
    public required string ContentHash { get; set; }

    public long SizeBytes { get; set; }

    public DocumentStatus Status { get; set; } = DocumentStatus.Queued;

    public DateTimeOffset CreatedAt { get; set; }
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
