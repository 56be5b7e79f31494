using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Ingestion.Model;
using Ingestion.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.VectorData;
using Npgsql;
using NpgsqlTypes;

namespace Ingestion.Infrastructure;

/// <summary>
/// The embedded default vector store: the current tenant's chunks in PostgreSQL (<c>document_chunks</c>, under
/// row-level security), searched in process by <see cref="TenantVectorIndex"/>, which every write here keeps current.
/// The collection is the tenant's: its name is the tenant id, and RLS, not this code, keeps other tenants' rows out.
/// </summary>
public sealed class PostgresChunkCollection(IngestionDbContext db, TenantContext tenant, TenantVectorIndex index)
    : VectorStoreCollection<Guid, DocumentChunk>
{
    public override string Name => tenant.RequiredTenantId.ToString();

    // The table is the migrations' to create and drop; every tenant has its rows in it.
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public override async Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        await db.Chunks.ExecuteDeleteAsync(cancellationToken);
        await index.ChangedAsync(tenant.RequiredTenantId, cancellationToken);
    }

    public override async Task<DocumentChunk?> GetAsync(Guid key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        await Read(options?.IncludeVectors ?? false).FirstOrDefaultAsync(c => c.Id == key, cancellationToken);

    public override IAsyncEnumerable<DocumentChunk> GetAsync(IEnumerable<Guid> keys, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ids = keys.ToList();
        return Read(options?.IncludeVectors ?? false).Where(c => ids.Contains(c.Id)).AsAsyncEnumerable();
    }

    /// <summary>Chunks matching <paramref name="filter"/> (any condition EF translates), in document order.</summary>
    public override IAsyncEnumerable<DocumentChunk> GetAsync(
        Expression<Func<DocumentChunk, bool>> filter, int top, FilteredRecordRetrievalOptions<DocumentChunk>? options = null, CancellationToken cancellationToken = default) =>
        Read(options?.IncludeVectors ?? false).Where(filter).OrderBy(c => c.DocumentId).ThenBy(c => c.Index).Skip(options?.Skip ?? 0).Take(top).AsAsyncEnumerable();

    public override Task DeleteAsync(Guid key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    public override async Task DeleteAsync(IEnumerable<Guid> keys, CancellationToken cancellationToken = default)
    {
        var ids = keys.ToList();
        if (await db.Chunks.Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken) > 0)
        {
            await index.ChangedAsync(tenant.RequiredTenantId, cancellationToken);
        }
    }

    public override Task UpsertAsync(DocumentChunk record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    /// <summary>
    /// One statement for the whole set: the rows travel as arrays (the vectors as one flat array, sliced per row) and
    /// are inserted or replaced by id. (COPY would be faster still, but PostgreSQL refuses COPY FROM under RLS.)
    /// </summary>
    public override async Task UpsertAsync(IEnumerable<DocumentChunk> records, CancellationToken cancellationToken = default)
    {
        var chunks = records.ToList();
        if (chunks.Count == 0)
        {
            return;
        }
        var dimensions = chunks[0].Embedding?.Length ?? 0;
        if (chunks.Any(c => c.Embedding?.Length != dimensions || c.TenantId != tenant.RequiredTenantId) || dimensions == 0)
        {
            throw new ArgumentException("Every chunk needs an embedding of the same size, and must belong to the current tenant.", nameof(records));
        }
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO document_chunks (id, tenant_id, document_id, "index", heading, text, token_count, embedding)
            SELECT r.id, r.tenant_id, r.document_id, r."index", r.heading, r.text, r.token_count, @vectors[(r.n - 1) * @dimensions + 1 : r.n * @dimensions]
            FROM unnest(@ids, @tenants, @documents, @indexes, @headings, @texts, @tokens) WITH ORDINALITY AS r(id, tenant_id, document_id, "index", heading, text, token_count, n)
            ON CONFLICT (id) DO UPDATE SET document_id = excluded.document_id, "index" = excluded."index", heading = excluded.heading,
                text = excluded.text, token_count = excluded.token_count, embedding = excluded.embedding
            """,
            [
                new NpgsqlParameter("ids", chunks.ConvertAll(c => c.Id)),
                new NpgsqlParameter("tenants", chunks.ConvertAll(c => c.TenantId)),
                new NpgsqlParameter("documents", chunks.ConvertAll(c => c.DocumentId)),
                new NpgsqlParameter("indexes", chunks.ConvertAll(c => c.Index)),
                new NpgsqlParameter("headings", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = chunks.ConvertAll(c => c.Heading) },
                new NpgsqlParameter("texts", chunks.ConvertAll(c => c.Text)),
                new NpgsqlParameter("tokens", chunks.ConvertAll(c => c.TokenCount)),
                new NpgsqlParameter("vectors", chunks.SelectMany(c => c.Embedding!).ToArray()),
                new NpgsqlParameter("dimensions", dimensions),
            ],
            cancellationToken);
        await index.ChangedAsync(tenant.RequiredTenantId, cancellationToken);
    }

    /// <summary>The nearest chunks to a vector (<c>float[]</c> or <c>ReadOnlyMemory&lt;float&gt;</c>, normalised), best first.</summary>
    public override async IAsyncEnumerable<VectorSearchResult<DocumentChunk>> SearchAsync<TInput>(
        TInput searchValue, int top, VectorSearchOptions<DocumentChunk>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (options?.Filter is not null)
        {
            throw new NotSupportedException("The in-process index searches a tenant's chunks without filters.");
        }
        var query = searchValue switch
        {
            float[] vector => vector,
            ReadOnlyMemory<float> memory => memory.ToArray(),
            _ => throw new NotSupportedException($"Search by {typeof(TInput).Name} is not supported: pass the query's embedding."),
        };
        var hits = await index.SearchAsync(tenant.RequiredTenantId, db, query, top + (options?.Skip ?? 0), cancellationToken);
        var ids = hits.ConvertAll(h => h.ChunkId);
        var chunks = await Read(options?.IncludeVectors ?? false).Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        // A chunk deleted since the index was loaded is left out.
        foreach (var (id, score) in hits.Skip(options?.Skip ?? 0))
        {
            if (chunks.TryGetValue(id, out var chunk) && (options?.ScoreThreshold is not { } threshold || score >= threshold))
            {
                yield return new VectorSearchResult<DocumentChunk>(chunk, score);
            }
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    private IQueryable<DocumentChunk> Read(bool includeVectors) => includeVectors
        ? db.Chunks.AsNoTracking()
        : db.Chunks.AsNoTracking().Select(c => new DocumentChunk
        {
            Id = c.Id,
            TenantId = c.TenantId,
            DocumentId = c.DocumentId,
            Index = c.Index,
            Heading = c.Heading,
            Text = c.Text,
            TokenCount = c.TokenCount,
        });
}
