using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Google.Protobuf.Collections;
using Grpc.Core;
using Ingestion.Model;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using static Qdrant.Client.Grpc.Conditions;
using Expression = System.Linq.Expressions.Expression;

namespace Ingestion.Infrastructure;

/// <summary>
/// The scale-out vector store: chunks as points of one Qdrant collection (<see cref="IngestionOptions.QdrantCollection"/>),
/// through <see cref="QdrantClient"/>, chosen by a <c>qdrant</c> connection string. Tenants share the collection and are
/// kept apart by a payload filter: every point carries <c>tenant_id</c> (indexed as Qdrant's tenant key), and every
/// read, search and delete here is confined to the current tenant's points by a <c>must</c> condition on it. Each point
/// has two vectors: the chunk's embedding (unnamed, cosine) and its words (<c>text</c>, sparse, BM25 with Qdrant's IDF
/// modifier: see <see cref="SparseTextVector"/>), which <see cref="HybridSearchAsync"/> fuses.
/// </summary>
public sealed partial class QdrantChunkCollection(QdrantClient qdrant, TenantContext tenant, IOptions<IngestionOptions> options)
    : VectorStoreCollection<Guid, DocumentChunk>, IKeywordHybridSearchable<DocumentChunk>, ITextSearchable
{
    // Created once per process, on the first upsert, when the embedding's size is known.
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Created = new();

    // Whether the collection has the text vector (one created before it has none), asked once per process.
    private static readonly ConcurrentDictionary<string, Lazy<Task<bool>>> TextIndexed = new();

    private string Collection => options.Value.QdrantCollection;

    private double HybridTextWeight => options.Value.HybridTextWeight;

    public override string Name => tenant.RequiredTenantId.ToString();

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        qdrant.CollectionExistsAsync(Collection, cancellationToken);

    /// <summary>Not here: the shared collection is created by the first upsert, which knows the embedding's size.</summary>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The shared chunks collection is created by the first upsert, which knows the embedding's size.");

    /// <summary>Deletes the tenant's points; the shared collection stays.</summary>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) =>
        DeleteWhereAsync(TenantFilter(), cancellationToken);

    public override async Task<DocumentChunk?> GetAsync(Guid key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetAsync([key], options, cancellationToken).FirstOrDefaultAsync(cancellationToken);

    public override async IAsyncEnumerable<DocumentChunk> GetAsync(
        IEnumerable<Guid> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Points by id through a filtered scroll, so an id of another tenant's point finds nothing.
        var ids = keys.ToList();
        foreach (var point in await ScrollAsync(TenantFilter(HasId(ids)), ids.Count, options?.IncludeVectors ?? false, cancellationToken))
        {
            yield return point;
        }
    }

    /// <summary>
    /// Chunks matching <paramref name="filter"/>: equality of <c>DocumentId</c> or <c>Index</c> with a value, joined by
    /// <c>&amp;&amp;</c>, which Qdrant evaluates; in document order within the page returned.
    /// </summary>
    public override async IAsyncEnumerable<DocumentChunk> GetAsync(
        Expression<Func<DocumentChunk, bool>> filter, int top, FilteredRecordRetrievalOptions<DocumentChunk>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var skip = options?.Skip ?? 0;
        var points = await ScrollAsync(TenantFilter([.. ConditionsOf(filter.Body)]), top + skip, options?.IncludeVectors ?? false, cancellationToken);
        foreach (var point in points.OrderBy(c => c.DocumentId).ThenBy(c => c.Index).Skip(skip))
        {
            yield return point;
        }
    }

    public override Task DeleteAsync(Guid key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    public override Task DeleteAsync(IEnumerable<Guid> keys, CancellationToken cancellationToken = default) =>
        DeleteWhereAsync(TenantFilter(HasId([.. keys])), cancellationToken);

    public override Task UpsertAsync(DocumentChunk record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    public override async Task UpsertAsync(IEnumerable<DocumentChunk> records, CancellationToken cancellationToken = default)
    {
        var chunks = records.ToList();
        if (chunks.Count == 0)
        {
            return;
        }
        if (chunks.Any(c => c.Embedding is not { Length: > 0 } || c.TenantId != tenant.RequiredTenantId))
        {
            throw new ArgumentException("Every chunk needs an embedding, and must belong to the current tenant.", nameof(records));
        }
        var creating = Created.GetOrAdd(Collection, _ => new Lazy<Task>(() => CreateCollectionAsync(chunks[0].Embedding!.Length, cancellationToken)));
        try
        {
            await creating.Value;
        }
        catch
        {
            Created.TryRemove(new(Collection, creating));
            throw;
        }
        var withText = await TextIndexedAsync(cancellationToken) is true;
        await qdrant.UpsertAsync(Collection, [.. chunks.Select(c => new PointStruct
        {
            Id = c.Id,
            Vectors = VectorsOf(c, withText),
            Payload =
            {
                [TenantKey] = c.TenantId.ToString(),
                [DocumentKey] = c.DocumentId.ToString(),
                [IndexKey] = c.Index,
                ["heading"] = c.Heading is { } heading ? heading : new Value { NullValue = NullValue.NullValue },
                ["text"] = c.Text,
                ["token_count"] = c.TokenCount,
            },
        })], wait: true, cancellationToken: cancellationToken);
    }

    /// <summary>The tenant's nearest chunks to a vector (<c>float[]</c> or <c>ReadOnlyMemory&lt;float&gt;</c>), best first.</summary>
    public override async IAsyncEnumerable<VectorSearchResult<DocumentChunk>> SearchAsync<TInput>(
        TInput searchValue, int top, VectorSearchOptions<DocumentChunk>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = QueryVector(searchValue);
        var filter = TenantFilter([.. ConditionsOf(options?.Filter)]);
        var points = await UnlessNotCreatedAsync(() => qdrant.QueryAsync(Collection, query, filter: filter,
            scoreThreshold: (float?)options?.ScoreThreshold, limit: (ulong)top, offset: (ulong)(options?.Skip ?? 0),
            payloadSelector: true, vectorsSelector: options?.IncludeVectors ?? false, cancellationToken: cancellationToken), []);
        foreach (var point in points)
        {
            yield return new VectorSearchResult<DocumentChunk>(Chunk(point.Id, point.Payload, point.Vectors), point.Score);
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    private const string TenantKey = "tenant_id";
    private const string DocumentKey = "document_id";
    private const string IndexKey = "index";
    private const string TextVector = "text";

    // Qdrant's name for the unnamed vector, when a point's vectors are named.
    private const string EmbeddingVector = "";

    private async Task CreateCollectionAsync(int dimensions, CancellationToken cancellationToken)
    {
        if (!await qdrant.CollectionExistsAsync(Collection, cancellationToken))
        {
            try
            {
                await qdrant.CreateCollectionAsync(Collection, new VectorParams { Size = (ulong)dimensions, Distance = Distance.Cosine },
                    sparseVectorsConfig: new SparseVectorConfig { Map = { [TextVector] = new SparseVectorParams { Modifier = Modifier.Idf } } },
                    cancellationToken: cancellationToken);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
            {
                // Another replica created it first.
            }
        }
        // Qdrant's multitenancy: a keyword index on the tenant key, marked as such, keeps each tenant's points together.
        await qdrant.CreatePayloadIndexAsync(Collection, TenantKey, PayloadSchemaType.Keyword,
            new PayloadIndexParams { KeywordIndexParams = new KeywordIndexParams { IsTenant = true } }, cancellationToken: cancellationToken);
        await qdrant.CreatePayloadIndexAsync(Collection, DocumentKey, PayloadSchemaType.Keyword, cancellationToken: cancellationToken);
    }

    private async Task<List<DocumentChunk>> ScrollAsync(Filter filter, int limit, bool withVectors, CancellationToken cancellationToken)
    {
        var chunks = new List<DocumentChunk>();
        PointId? offset = null;
        do
        {
            var page = await UnlessNotCreatedAsync<ScrollResponse?>(async () => await qdrant.ScrollAsync(Collection, filter, (uint)Math.Min(limit - chunks.Count, 1_000), offset,
                payloadSelector: true, vectorsSelector: withVectors, cancellationToken: cancellationToken), null);
            chunks.AddRange(page?.Result.Select(p => Chunk(p.Id, p.Payload, p.Vectors)) ?? []);
            offset = page?.NextPageOffset;
        }
        while (offset is not null && chunks.Count < limit);
        return chunks;
    }

    private async Task DeleteWhereAsync(Filter filter, CancellationToken cancellationToken) =>
        await UnlessNotCreatedAsync<UpdateResult?>(async () => await qdrant.DeleteAsync(Collection, filter, wait: true, cancellationToken: cancellationToken), null);

    // Before the first upsert creates the collection, reads find nothing and deletes have nothing to do.
    private static async Task<T> UnlessNotCreatedAsync<T>(Func<Task<T>> call, T notCreated)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return notCreated;
        }
    }

    /// <summary>The current tenant's points, and only those, meeting <paramref name="conditions"/>.</summary>
    private Filter TenantFilter(params Condition[] conditions) =>
        new() { Must = { MatchKeyword(TenantKey, tenant.RequiredTenantId.ToString()), conditions } };

    private static IEnumerable<Condition> ConditionsOf(Expression<Func<DocumentChunk, bool>>? filter) => filter is null ? [] : ConditionsOf(filter.Body);

    /// <summary>Qdrant conditions for <c>c.DocumentId == x</c> and <c>c.Index == n</c>, joined by <c>&amp;&amp;</c>.</summary>
    private static IEnumerable<Condition> ConditionsOf(Expression expression) => expression switch
    {
        BinaryExpression { NodeType: ExpressionType.AndAlso } and => ConditionsOf(and.Left).Concat(ConditionsOf(and.Right)),
        BinaryExpression { NodeType: ExpressionType.Equal, Left: MemberExpression { Member.Name: var member, Expression: ParameterExpression } } equal =>
            [Equal(member, equal.Right)],
        BinaryExpression { NodeType: ExpressionType.Equal, Right: MemberExpression { Member.Name: var member, Expression: ParameterExpression } } equal =>
            [Equal(member, equal.Left)],
        _ => throw new NotSupportedException($"Qdrant filters here are equalities of DocumentId or Index joined by &&, not '{expression}'."),
    };

    private static Condition Equal(string member, Expression value)
    {
        var constant = Expression.Lambda(Expression.Convert(value, typeof(object))).Compile().DynamicInvoke();
        return member switch
        {
            nameof(DocumentChunk.DocumentId) => MatchKeyword(DocumentKey, constant!.ToString()!),
            nameof(DocumentChunk.Index) => Match(IndexKey, (int)constant!),
            _ => throw new NotSupportedException($"Qdrant filters here match DocumentId or Index, not {member}."),
        };
    }

    private static DocumentChunk Chunk(PointId id, MapField<string, Value> payload, VectorsOutput? vectors) => new()
    {
        Id = Guid.Parse(id.Uuid),
        TenantId = Guid.Parse(payload[TenantKey].StringValue),
        DocumentId = Guid.Parse(payload[DocumentKey].StringValue),
        Index = (int)payload[IndexKey].IntegerValue,
        Heading = payload.TryGetValue("heading", out var heading) && heading.HasStringValue ? heading.StringValue : null,
        Text = payload["text"].StringValue,
        TokenCount = (int)payload["token_count"].IntegerValue,
        Embedding = DenseOf(vectors)?.ToArray(),
    };

    // The chunk's words beside its embedding, unless the collection was created before it had a text vector.
    private static Vectors VectorsOf(DocumentChunk chunk, bool withText)
    {
        var dense = new Vector { Dense = new DenseVector { Data = { chunk.Embedding! } } };
        return withText
            ? new Vectors { Vectors_ = new NamedVectors { Vectors = { [EmbeddingVector] = dense, [TextVector] = new Vector { Sparse = SparseTextVector.OfChunk(chunk) } } } }
            : new Vectors { Vector = dense };
    }

    // Beside the text vector, Qdrant returns the embedding by its name.
    private static RepeatedField<float>? DenseOf(VectorsOutput? vectors) =>
        vectors?.Vector?.Dense?.Data ?? (vectors?.Vectors?.Vectors.TryGetValue(EmbeddingVector, out var dense) == true ? dense.Dense?.Data : null);

    private static float[] QueryVector<TInput>(TInput searchValue) => searchValue switch
    {
        float[] vector => vector,
        ReadOnlyMemory<float> memory => memory.ToArray(),
        _ => throw new NotSupportedException($"Search by {typeof(TInput).Name} is not supported: pass the query's embedding."),
    };
}
