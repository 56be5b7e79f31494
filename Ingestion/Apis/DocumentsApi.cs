using System.Security.Cryptography;
using System.Text;
using Ingestion.Infrastructure;
using Ingestion.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
        return app;
    }

    public static async Task<Results<Accepted<DocumentSummary>, ValidationProblem, ProblemHttpResult>> UploadDocument(
        UploadDocumentRequest request,
        IngestionDbContext db,
        TenantContext tenant,
        TimeProvider time,
        IOptions<IngestionOptions> options,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 256 || string.IsNullOrWhiteSpace(request.Text))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["document"] = ["A document needs a name (up to 256 characters) and non-empty text."],
            });
        }
        var content = Encoding.UTF8.GetBytes(request.Text);
        if (content.Length > options.Value.MaxDocumentBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Document too large",
                detail: $"The text is {content.Length} bytes; the limit is {options.Value.MaxDocumentBytes}.");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        if (await FindByHash(db, hash, cancellationToken) is { } existing)
        {
            return TypedResults.Accepted($"/api/v1/ingestion/documents/{existing.Id}", DocumentSummary.From(existing));
        }

        var document = new Document
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.RequiredTenantId,
            Name = request.Name,
            ContentType = "text/plain",
            Content = request.Text,
            ContentHash = hash,
            SizeBytes = content.Length,
            CreatedAt = time.GetUtcNow(),
        };
        db.Documents.Add(document);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The same content arrived concurrently: the first one stored is the document.
            db.ChangeTracker.Clear();
            document = await FindByHash(db, hash, cancellationToken) ?? throw new InvalidOperationException("Duplicate vanished.", ex);
        }
        return TypedResults.Accepted($"/api/v1/ingestion/documents/{document.Id}", DocumentSummary.From(document));
    }

    public static async Task<Ok<List<DocumentSummary>>> ListDocuments(IngestionDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Documents.AsNoTracking().OrderByDescending(d => d.CreatedAt)
            .Select(d => new DocumentSummary(d.Id, d.Name, d.ContentType, d.SizeBytes, d.Status, d.CreatedAt))
            .ToListAsync(cancellationToken));

    public static async Task<Results<Ok<DocumentSummary>, NotFound>> GetDocument(Guid id, IngestionDbContext db, CancellationToken cancellationToken) =>
        await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken) is { } document
            ? TypedResults.Ok(DocumentSummary.From(document))
            : TypedResults.NotFound();

    // No tenant filter here: row-level security sees only the caller's tenant.
    private static Task<Document?> FindByHash(IngestionDbContext db, string hash, CancellationToken cancellationToken) =>
        db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.ContentHash == hash, cancellationToken);
}

public sealed record UploadDocumentRequest(string? Name, string? Text);

/// <summary>A document as the API shows it: everything but its content.</summary>
public sealed record DocumentSummary(Guid Id, string Name, string ContentType, long SizeBytes, DocumentStatus Status, DateTimeOffset CreatedAt)
{
    public static DocumentSummary From(Document document) =>
        new(document.Id, document.Name, document.ContentType, document.SizeBytes, document.Status, document.CreatedAt);
}
