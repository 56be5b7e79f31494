using System.Linq.Expressions;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Ingestion.Model;
using Ingestion.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Npgsql;
using NpgsqlTypes;

namespace Ingestion.Infrastructure;

/// <summary>
/// The embedded default vector store: the current tenant's chunks in PostgreSQL (<c>document_chunks</c>, under
/// row-level security), searched in process by <see cref="TenantVectorIndex"/>, which every write here keeps current,
/// and by PostgreSQL's full-text search (the chunk's <c>search_vector</c>, its words ranked by rarity); <see cref="HybridSearchAsync"/> fuses the two.
/// The collection is the tenant's: its name is the tenant id, and RLS, not this code, keeps other tenants' rows out.
/// </summary>
public sealed class PostgresChunkCollection(IngestionDbContext db, TenantContext tenant, TenantVectorIndex index, IOptions<IngestionOptions> settings)
    : VectorStoreCollection<Guid, DocumentChunk>, IKeywordHybridSearchable<DocumentChunk>, ITextSearchable
{
    // Each list offers this many times the results asked for to the fusion, so that a chunk ranked well by one and
    // fairly by the other is scored by both.
    private const int CandidatesPerResult = 4;

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
            INSERT INTO document_chunks (id, tenant_id, document_id, "index", heading, text, token_count, embedding, embedding_model)
            SELECT r.id, r.tenant_id, r.document_id, r."index", r.heading, r.text, r.token_count, @vectors[(r.n - 1) * @dimensions + 1 : r.n * @dimensions], r.embedding_model
            FROM unnest(@ids, @tenants, @documents, @indexes, @headings, @texts, @tokens, @models)
                WITH ORDINALITY AS r(id, tenant_id, document_id, "index", heading, text, token_count, embedding_model, n)
            ON CONFLICT (id) DO UPDATE SET document_id = excluded.document_id, "index" = excluded."index", heading = excluded.heading,
                text = excluded.text, token_count = excluded.token_count, embedding = excluded.embedding, embedding_model = excluded.embedding_model
            """,
            [
                new NpgsqlParameter("ids", chunks.ConvertAll(c => c.Id)),
                new NpgsqlParameter("tenants", chunks.ConvertAll(c => c.TenantId)),
                new NpgsqlParameter("documents", chunks.ConvertAll(c => c.DocumentId)),
                new NpgsqlParameter("indexes", chunks.ConvertAll(c => c.Index)),
                new NpgsqlParameter("headings", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = chunks.ConvertAll(c => c.Heading) },
                new NpgsqlParameter("texts", chunks.ConvertAll(c => c.Text)),
                new NpgsqlParameter("tokens", chunks.ConvertAll(c => c.TokenCount)),
                new NpgsqlParameter("models", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = chunks.ConvertAll(c => c.EmbeddingModel) },
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
        var hits = await index.SearchAsync(tenant.RequiredTenantId, db, QueryVector(searchValue), top + (options?.Skip ?? 0), cancellationToken);
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

    /// <summary>
    /// The chunks nearest to a vector and those whose text best matches any of <paramref name="keywords"/>, ranked by
    /// their cosine plus <see cref="IngestionOptions.HybridTextWeight"/> times the share of the query's words (by
    /// rarity) they hold. Scores rather than ranks are fused: on the labelled retrieval set, reciprocal rank fusion let
    /// a chunk that shares one common word with a reworded question outrank the chunk that answers it (recall@5 below
    /// vector search alone), while a score tells a code such as "E4012" matched from "days" matched. A chunk not yet
    /// embedded by the configured model is still found by its words.
    /// </summary>
    public async IAsyncEnumerable<VectorSearchResult<DocumentChunk>> HybridSearchAsync<TInput>(
        TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<DocumentChunk>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        if (options?.Filter is not null)
        {
            throw new NotSupportedException("The in-process index searches a tenant's chunks without filters.");
        }
        var query = QueryVector(searchValue);
        var candidates = (top + (options?.Skip ?? 0)) * CandidatesPerResult;
        var nearest = await index.SearchAsync(tenant.RequiredTenantId, db, query, candidates, cancellationToken);
        var matching = (await MatchingAsync(keywords, candidates, cancellationToken)).ToDictionary(m => m.Id, m => m.Score);
        var ids = nearest.Select(n => n.ChunkId).Union(matching.Keys).ToList();
        var chunks = await Read(includeVectors: true).Where(c => ids.Contains(c.Id)).ToListAsync(cancellationToken);
        var model = settings.Value.EmbeddingModelRevision;
        var weight = settings.Value.HybridTextWeight;
        var ranked = chunks
            .Select(chunk => (Chunk: chunk, Score:
                (chunk.EmbeddingModel == model && chunk.Embedding?.Length == query.Length ? TensorPrimitives.Dot(chunk.Embedding, query) : 0)
                + (weight * matching.GetValueOrDefault(chunk.Id))))
            .OrderByDescending(r => r.Score).ThenBy(r => r.Chunk.Id)
            .Skip(options?.Skip ?? 0).Take(top);
        foreach (var (chunk, score) in ranked)
        {
            if (options?.ScoreThreshold is not { } threshold || score >= threshold)
            {
                if (options?.IncludeVectors != true)
                {
                    chunk.Embedding = null;
                }
                yield return new VectorSearchResult<DocumentChunk>(chunk, score);
            }
        }
    }

    /// <summary>The chunks whose text best matches any of <paramref name="keywords"/> (full-text search alone), best first.</summary>
    public async IAsyncEnumerable<VectorSearchResult<DocumentChunk>> TextSearchAsync(
        ICollection<string> keywords, int top, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var matches = await MatchingAsync(keywords, top, cancellationToken);
        var ids = matches.ConvertAll(m => m.Id);
        var chunks = await Read(includeVectors: false).Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        foreach (var match in matches)
        {
            if (chunks.TryGetValue(match.Id, out var chunk))
            {
                yield return new VectorSearchResult<DocumentChunk>(chunk, match.Score);
            }
        }
    }

    /// <summary>
    /// The tenant's chunks that hold any of the keywords' English lexemes ("refunds" finds "refund"), best first by the
    /// rarity of the lexemes each holds (BM25's inverse document frequency over the tenant's chunks: a code such as
    /// "E4012" weighs more than "account"), then by <c>ts_rank</c> (how often and densely they occur).
    /// </summary>
    private async Task<List<TextMatch>> MatchingAsync(ICollection<string> keywords, int top, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<TextMatch>("""
            WITH terms AS (
                SELECT DISTINCT quote_literal(lexeme)::tsquery AS term
                FROM unnest(@keywords) AS keyword, unnest(tsvector_to_array(to_tsvector('english', keyword))) AS lexeme
            ),
            weighted AS (
                SELECT term, ln(1 + (chunks.total - matching.count + 0.5) / (matching.count + 0.5)) AS idf
                FROM terms
                CROSS JOIN (SELECT count(*)::float8 AS total FROM document_chunks) AS chunks
                CROSS JOIN LATERAL (SELECT count(*)::float8 AS count FROM document_chunks WHERE search_vector @@ terms.term) AS matching
                WHERE matching.count > 0
            )
            SELECT c.id AS "Id", sum(w.idf) / (SELECT sum(idf) FROM weighted) AS "Score"
            FROM document_chunks c JOIN weighted w ON c.search_vector @@ w.term
            GROUP BY c.id
            ORDER BY sum(w.idf) DESC, sum(ts_rank(c.search_vector, w.term, 1)) DESC, c.id
            LIMIT @top
            """, new NpgsqlParameter("keywords", keywords.ToArray()), new NpgsqlParameter("top", top)).ToListAsync(cancellationToken);

    /// <summary>A chunk found by its words, with the share of the query's lexemes (weighted by rarity) it holds.</summary>
    private sealed record TextMatch(Guid Id, double Score);

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    private static float[] QueryVector<TInput>(TInput searchValue) => searchValue switch
    {
        float[] vector => vector,
        ReadOnlyMemory<float> memory => memory.ToArray(),
        _ => throw new NotSupportedException($"Search by {typeof(TInput).Name} is not supported: pass the query's embedding."),
    };

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
            EmbeddingModel = c.EmbeddingModel,
        });
}
