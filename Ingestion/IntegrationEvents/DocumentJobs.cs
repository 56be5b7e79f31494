using Ingestion.Infrastructure;
using Ingestion.Model;
using Ingestion.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace Ingestion.IntegrationEvents;

/// <summary>A stored document to extract and chunk; the job is redelivered until it succeeds or runs out of attempts.</summary>
public sealed record DocumentUploadedIntegrationEvent : IntegrationEvent
{
    public const string Subject = "ingestion.document.process";

    public Guid TenantId { get; init; }

    public Guid DocumentId { get; init; }

    /// <summary>Process the document again even if it is indexed (after the embedding model or chunking changed).</summary>
    public bool Reprocess { get; init; }

    /// <summary>Set when the document is processed again because another model embedded its chunks: done once none is left of another model.</summary>
    public string? EmbeddingModel { get; init; }

    /// <summary>The job that embeds a document's chunks again with <paramref name="model"/>: one id per document and model, so JetStream drops repeats.</summary>
    public static DocumentUploadedIntegrationEvent Reembed(Guid tenantId, Guid documentId, string model) => new()
    {
        Id = new Guid(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{documentId}:{model}"))[..16]),
        TenantId = tenantId,
        DocumentId = documentId,
        Reprocess = true,
        EmbeddingModel = model,
    };
}

/// <summary>
/// Extracts, cleans, chunks and embeds a document into the vector store: chunk ids follow from the document and the
/// chunk's place in it, so a redelivered job writes the same records again and ends in the same state. A failure is recorded on the document (its reason) and thrown, so the job is retried with
/// backoff; the last failure sends it to the dead-letter subject, where <see cref="DocumentFailedHandler"/> marks it.
/// </summary>
public sealed class DocumentJobHandler(
    IngestionDbContext db,
    TenantContext tenant,
    Chunker chunker,
    IEmbeddingGenerator<string, Embedding<float>> embeddings,
    VectorStoreCollection<Guid, DocumentChunk> chunkStore,
    EmbeddingMetering metering,
    IOptions<IngestionOptions> options,
    TimeProvider time)
    : IIntegrationEventHandler<DocumentUploadedIntegrationEvent>
{
    public async Task HandleAsync(DocumentUploadedIntegrationEvent job, CancellationToken cancellationToken)
    {
        tenant.Enter(job.TenantId);
        var document = await db.Documents.FirstOrDefaultAsync(d => d.Id == job.DocumentId, cancellationToken);
        if (document is null || (document.Status == DocumentStatus.Indexed && !job.Reprocess)
            || (job.EmbeddingModel is { } model && !await db.Chunks.AnyAsync(c => c.DocumentId == document.Id && c.EmbeddingModel != model, cancellationToken)))
        {
            // Deleted meanwhile, or done by an earlier delivery (or, for a re-embedding, by another job).
            return;
        }
        document.Status = DocumentStatus.Processing;
        await db.SaveChangesAsync(cancellationToken);

        List<TextChunk> chunks;
        List<float[]> vectors = [];
        var usage = new UsageDetails();
        var embedding = TimeSpan.Zero;
        try
        {
            document.Text = TextExtractor.Extract(document.RawContent, document.ContentType);
            chunks = chunker.Split(document.Text);
            if (chunks.Count == 0)
            {
                throw new InvalidDataException("No text could be extracted from the document.");
            }
            foreach (var batch in chunks.Chunk(EmbeddingBatch))
            {
                var started = time.GetTimestamp();
                var generated = await embeddings.GenerateAsync(batch.Select(c => c.Text), cancellationToken: cancellationToken);
                embedding += time.GetElapsedTime(started);
                vectors.AddRange(generated.Select(e => e.Vector.ToArray()));
                if (generated.Usage is { } batchUsage)
                {
                    usage.Add(batchUsage);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            document.Text = null;
            var reason = $"{ex.GetType().Name}: {ex.Message}";
            document.Reason = reason.Length > 1024 ? reason[..1024] : reason;
            await db.SaveChangesAsync(cancellationToken);
            throw;
        }

        var records = chunks.Select((chunk, index) => new DocumentChunk
        {
            Id = ChunkId(document.Id, index),
            TenantId = job.TenantId,
            DocumentId = document.Id,
            Index = index,
            Heading = chunk.Heading?[..Math.Min(512, chunk.Heading.Length)],
            Text = chunk.Text,
            TokenCount = chunk.TokenCount,
            Embedding = vectors[index],
            EmbeddingModel = options.Value.EmbeddingModelRevision,
        }).ToList();
        // Chunks of an earlier processing that this one no longer has (the text or the chunking changed).
        var current = records.Select(r => r.Id).ToHashSet();
        var stale = await chunkStore.GetAsync(c => c.DocumentId == document.Id, int.MaxValue, cancellationToken: cancellationToken)
            .Select(c => c.Id).Where(id => !current.Contains(id)).ToListAsync(cancellationToken);
        if (stale.Count > 0)
        {
            await chunkStore.DeleteAsync(stale, cancellationToken);
        }
        await chunkStore.UpsertAsync(records, cancellationToken);
        // Charged before the document shows indexed: a job cut off between the two charges again under the same id, which counts once.
        await metering.ChargeAsync(job.Id, job.TenantId, EmbeddingMetering.DocumentEndpoint, usage, embedding, cancellationToken);
        document.Status = DocumentStatus.Indexed;
        document.Reason = null;
        document.ChunkCount = chunks.Count;
        document.ProcessedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A chunk's id: a UUID (version 8) from a hash of its document's id and its index.</summary>
    public static Guid ChunkId(Guid documentId, int index)
    {
        Span<byte> material = stackalloc byte[20];
        documentId.TryWriteBytes(material);
        BitConverter.TryWriteBytes(material[16..], index);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(material, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    private const int EmbeddingBatch = 64;
}

/// <summary>A document job as it reaches the dead-letter subject (the same message, read by the failure handler).</summary>
public sealed record DeadDocumentJobIntegrationEvent : IntegrationEvent
{
    public Guid TenantId { get; init; }

    public Guid DocumentId { get; init; }
}

/// <summary>A job that kept failing reached the dead-letter subject: its document shows <c>failed</c> with the last reason.</summary>
public sealed class DocumentFailedHandler(IngestionDbContext db, TenantContext tenant, TimeProvider time) : IIntegrationEventHandler<DeadDocumentJobIntegrationEvent>
{
    public async Task HandleAsync(DeadDocumentJobIntegrationEvent job, CancellationToken cancellationToken)
    {
        tenant.Enter(job.TenantId);
        await db.Documents.Where(d => d.Id == job.DocumentId && d.Status != DocumentStatus.Indexed)
            .ExecuteUpdateAsync(d => d
                .SetProperty(x => x.Status, DocumentStatus.Failed)
                .SetProperty(x => x.Reason, x => x.Reason ?? "Processing kept failing.")
                .SetProperty(x => x.ProcessedAt, time.GetUtcNow()), cancellationToken);
    }
}
