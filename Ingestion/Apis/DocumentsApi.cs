using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestion.Infrastructure;
using Ingestion.IntegrationEvents;
using Ingestion.Model;
using Ingestion.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Npgsql;

namespace Ingestion.Apis;

public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/v1/ingestion/documents").RequireAuthorization(TenancyExtensions.TenantPolicy);
        api.MapPost("/", UploadDocument);
        api.MapGet("/", ListDocuments);
        api.MapGet("/{id:guid}", GetDocument);
        api.MapGet("/{id:guid}/chunks", ListChunks);
        api.MapDelete("/{id:guid}", DeleteDocument);
        api.MapPost("/{id:guid}/reprocess", ReprocessDocument);
        app.MapPost("api/v1/ingestion/search", Search).RequireAuthorization(TenancyExtensions.TenantPolicy);
        return app;
    }

    /// <summary>
    /// A multipart <c>file</c> (txt, md, html, pdf, docx) or JSON <c>{"name","text"}</c>: stored raw first, then queued
    /// for processing; 202 with the document. The same content again is the same document (queued again if it failed).
    /// </summary>
    public static async Task<Results<Accepted<DocumentSummary>, ValidationProblem, ProblemHttpResult>> UploadDocument(
        HttpRequest request,
        IngestionDbContext db,
        TenantContext tenant,
        EventPublisher events,
        TimeProvider time,
        IOptions<IngestionOptions> options,
        CancellationToken cancellationToken)
    {
        var (upload, invalid) = await ReadUploadAsync(request, options.Value.MaxDocumentBytes, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(upload!.Content));
        var document = await db.Documents.FirstOrDefaultAsync(d => d.ContentHash == hash, cancellationToken);
        if (document is null)
        {
            document = new Document
            {
                Id = Guid.CreateVersion7(),
                TenantId = tenant.RequiredTenantId,
                Name = upload.Name,
                ContentType = upload.ContentType,
                RawContent = upload.Content,
                ContentHash = hash,
                SizeBytes = upload.Content.Length,
                CreatedAt = time.GetUtcNow(),
            };
            db.Documents.Add(document);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // The same content arrived concurrently: the first one stored is the document, and it is queued.
                db.ChangeTracker.Clear();
                document = await db.Documents.AsNoTracking().FirstAsync(d => d.ContentHash == hash, cancellationToken);
                return TypedResults.Accepted($"/api/v1/ingestion/documents/{document.Id}", DocumentSummary.From(document));
            }
        }
        else if (document.Status is DocumentStatus.Indexed or DocumentStatus.Processing)
        {
            return TypedResults.Accepted($"/api/v1/ingestion/documents/{document.Id}", DocumentSummary.From(document));
        }
        else
        {
            // Queued (its job may have been lost) or failed: try again.
            document.Status = DocumentStatus.Queued;
            await db.SaveChangesAsync(cancellationToken);
        }

        await events.PublishAsync(DocumentUploadedIntegrationEvent.Subject,
            new DocumentUploadedIntegrationEvent { TenantId = document.TenantId, DocumentId = document.Id }, cancellationToken);
        return TypedResults.Accepted($"/api/v1/ingestion/documents/{document.Id}", DocumentSummary.From(document));
    }

    public static async Task<Ok<List<DocumentSummary>>> ListDocuments(IngestionDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Documents.AsNoTracking().OrderByDescending(d => d.CreatedAt)
            .Select(d => new DocumentSummary(d.Id, d.Name, d.ContentType, d.SizeBytes, d.Status, d.Reason, d.ChunkCount, d.CreatedAt, d.ProcessedAt))
            .ToListAsync(cancellationToken));

    // No tenant filter in these queries: row-level security sees only the caller's tenant.
    public static async Task<Results<Ok<DocumentSummary>, NotFound>> GetDocument(Guid id, IngestionDbContext db, CancellationToken cancellationToken) =>
        await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken) is { } document
            ? TypedResults.Ok(DocumentSummary.From(document))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<List<ChunkView>>, NotFound>> ListChunks(
        Guid id, IngestionDbContext db, VectorStoreCollection<Guid, DocumentChunk> chunkStore, CancellationToken cancellationToken) =>
        await db.Documents.AnyAsync(d => d.Id == id, cancellationToken)
            ? TypedResults.Ok(await chunkStore.GetAsync(c => c.DocumentId == id, int.MaxValue, cancellationToken: cancellationToken)
                .Select(c => new ChunkView(c.Index, c.Heading, c.Text, c.TokenCount)).ToListAsync(cancellationToken))
            : TypedResults.NotFound();

    /// <summary>
    /// Queues the document to be extracted, chunked and embedded again (after the embedding model or the chunk settings
    /// changed): 202; 409 while it is queued or processing.
    /// </summary>
    public static async Task<Results<Accepted<DocumentSummary>, NotFound, ProblemHttpResult>> ReprocessDocument(
        Guid id, IngestionDbContext db, EventPublisher events, CancellationToken cancellationToken)
    {
        if (await db.Documents.FirstOrDefaultAsync(d => d.Id == id, cancellationToken) is not { } document)
        {
            return TypedResults.NotFound();
        }
        if (document.Status is DocumentStatus.Queued or DocumentStatus.Processing)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already in progress", detail: $"The document is {document.Status.ToString().ToLowerInvariant()}.");
        }
        document.Status = DocumentStatus.Queued;
        await db.SaveChangesAsync(cancellationToken);
        await events.PublishAsync(DocumentUploadedIntegrationEvent.Subject,
            new DocumentUploadedIntegrationEvent { TenantId = document.TenantId, DocumentId = document.Id, Reprocess = true }, cancellationToken);
        return TypedResults.Accepted($"/api/v1/ingestion/documents/{document.Id}", DocumentSummary.From(document));
    }

    /// <summary>Removes the document's chunks from the vector store (and so from search), then the document.</summary>
    public static async Task<Results<NoContent, NotFound>> DeleteDocument(
        Guid id, IngestionDbContext db, VectorStoreCollection<Guid, DocumentChunk> chunkStore, CancellationToken cancellationToken)
    {
        if (!await db.Documents.AnyAsync(d => d.Id == id, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        // Chunks first: should this fail, the document is still there to delete again, and nothing is left orphaned.
        var chunks = await chunkStore.GetAsync(c => c.DocumentId == id, int.MaxValue, cancellationToken: cancellationToken).Select(c => c.Id).ToListAsync(cancellationToken);
        if (chunks.Count > 0)
        {
            await chunkStore.DeleteAsync(chunks, cancellationToken);
        }
        await db.Documents.Where(d => d.Id == id).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// <c>{"query","top","mode"}</c>: the tenant's chunks that best answer the query, best first. <c>hybrid</c> (the
    /// default) fuses the nearest by embedding with the best by full-text ranking; <c>vector</c> and <c>text</c> are
    /// either alone. With a store that has no full-text search, hybrid is the vector search.
    /// </summary>
    public static async Task<Results<Ok<SearchResults>, ValidationProblem>> Search(
        SearchRequest request, IngestionDbContext db, VectorStoreCollection<Guid, DocumentChunk> chunkStore,
        IEmbeddingGenerator<string, Embedding<float>> embeddings, EmbeddingMetering metering, TenantContext tenant, TimeProvider time, CancellationToken cancellationToken)
    {
        var top = request.Top ?? 5;
        if (string.IsNullOrWhiteSpace(request.Query) || request.Query.Length > 8192)
        {
            return Invalid("query", "A query of 1 to 8192 characters is required.");
        }
        if (top is < 1 or > 50)
        {
            return Invalid("top", "top is between 1 and 50.");
        }
        var mode = request.Mode ?? SearchModes.Hybrid;
        if (!SearchModes.All.Contains(mode))
        {
            return Invalid("mode", $"mode is one of: {string.Join(", ", SearchModes.All)}.");
        }
        if (mode == SearchModes.Text)
        {
            if (chunkStore is not ITextSearchable text)
            {
                return Invalid("mode", "Full-text search needs a store that indexes words; this deployment's vector store does not.");
            }
            if (await text.TextSearchUnavailableAsync(cancellationToken) is { } unavailable)
            {
                return Invalid("mode", unavailable);
            }
            return await ResultsAsync(text.TextSearchAsync([request.Query], top, cancellationToken), db, cancellationToken);
        }
        var started = time.GetTimestamp();
        var generated = await embeddings.GenerateAsync([request.Query], cancellationToken: cancellationToken);
        await metering.ChargeAsync(Guid.CreateVersion7(), tenant.RequiredTenantId, EmbeddingMetering.SearchEndpoint, generated.Usage, time.GetElapsedTime(started), cancellationToken);
        var query = generated[0].Vector.ToArray();
        return await ResultsAsync(mode == SearchModes.Hybrid && chunkStore is IKeywordHybridSearchable<DocumentChunk> hybrid
            ? hybrid.HybridSearchAsync(query, [request.Query], top, cancellationToken: cancellationToken)
            : chunkStore.SearchAsync(query, top, cancellationToken: cancellationToken), db, cancellationToken);
    }

    private static async Task<Ok<SearchResults>> ResultsAsync(
        IAsyncEnumerable<VectorSearchResult<DocumentChunk>> found, IngestionDbContext db, CancellationToken cancellationToken)
    {
        var hits = await found.ToListAsync(cancellationToken);
        var documentIds = hits.Select(h => h.Record.DocumentId).Distinct().ToList();
        var names = await db.Documents.AsNoTracking().Where(d => documentIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, cancellationToken);
        // A chunk whose document was deleted meanwhile is left out.
        return TypedResults.Ok(new SearchResults([.. hits.Where(h => names.ContainsKey(h.Record.DocumentId)).Select(h =>
            new SearchResult(h.Record.DocumentId, names[h.Record.DocumentId], h.Record.Index, h.Record.Heading, h.Record.Text, (float)(h.Score ?? 0)))]));
    }

    private static async Task<(Upload? Upload, Results<Accepted<DocumentSummary>, ValidationProblem, ProblemHttpResult>? Invalid)> ReadUploadAsync(
        HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        string? name;
        string? contentType;
        byte[] content;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            if (form.Files.GetFile("file") is not { } file)
            {
                return (null, Invalid("file", "A multipart upload carries the document in a part named 'file'."));
            }
            if (file.Length > maxBytes)
            {
                return (null, TooLarge(file.Length, maxBytes));
            }
            name = form["name"].FirstOrDefault() ?? file.FileName;
            contentType = TextExtractor.ContentTypeOf(file.FileName);
            if (contentType is null)
            {
                return (null, Invalid("file", $"'{file.FileName}' is not a supported format: txt, md, html, pdf or docx."));
            }
            using var stream = new MemoryStream((int)file.Length);
            await file.CopyToAsync(stream, cancellationToken);
            content = stream.ToArray();
        }
        else
        {
            UploadDocumentRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync<UploadDocumentRequest>(cancellationToken);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return (null, Invalid("document", "Send JSON {\"name\", \"text\"} or a multipart form with a 'file'."));
            }
            if (string.IsNullOrWhiteSpace(body?.Text))
            {
                return (null, Invalid("text", "A document needs non-empty text."));
            }
            name = body.Name;
            contentType = TextExtractor.ContentTypeOf(name ?? "") is TextExtractor.Markdown or TextExtractor.Html ? TextExtractor.ContentTypeOf(name!) : TextExtractor.PlainText;
            content = Encoding.UTF8.GetBytes(body.Text);
            if (content.Length > maxBytes)
            {
                return (null, TooLarge(content.Length, maxBytes));
            }
        }
        if (string.IsNullOrWhiteSpace(name) || name.Length > 256)
        {
            return (null, Invalid("name", "A document needs a name of up to 256 characters."));
        }
        return (new Upload(name, contentType!, content), null);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static ProblemHttpResult TooLarge(long size, int maxBytes) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Document too large", detail: $"The document is {size} bytes; the limit is {maxBytes}.");

    private sealed record Upload(string Name, string ContentType, byte[] Content);
}

public sealed record UploadDocumentRequest(string? Name, string? Text);

/// <summary>A document as the API shows it: everything but its content.</summary>
public sealed record DocumentSummary(
    Guid Id, string Name, string ContentType, long SizeBytes, DocumentStatus Status, string? Reason, int Chunks, DateTimeOffset CreatedAt, DateTimeOffset? ProcessedAt)
{
    public static DocumentSummary From(Document document) => new(
        document.Id, document.Name, document.ContentType, document.SizeBytes, document.Status, document.Reason, document.ChunkCount, document.CreatedAt, document.ProcessedAt);
}

public sealed record ChunkView(int Index, string? Heading, string Text, int TokenCount);

public sealed record SearchRequest(string? Query, int? Top, string? Mode);

public static class SearchModes
{
    public const string Hybrid = "hybrid";
    public const string Vector = "vector";
    public const string Text = "text";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Hybrid, Vector, Text };
}

public sealed record SearchResults(List<SearchResult> Results);

public sealed record SearchResult(Guid DocumentId, string DocumentName, int ChunkIndex, string? Heading, string Text, float Score);
