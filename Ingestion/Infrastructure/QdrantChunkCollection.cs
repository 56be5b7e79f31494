using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Ingestion.Model;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;

namespace Ingestion.Infrastructure;

/// <summary>
/// The scale-out vector store: chunks as points of one Qdrant collection (<see cref="IngestionOptions.QdrantCollection"/>),
/// over Qdrant's HTTP API, chosen by a <c>qdrant</c> connection string. Tenants share the collection and are kept
/// apart by a payload filter: every point carries <c>tenant_id</c> (indexed as Qdrant's tenant key), and every read,
/// search and delete here is confined to the current tenant's points by a <c>must</c> condition on it.
/// </summary>
public sealed class QdrantChunkCollection(HttpClient http, TenantContext tenant, IOptions<IngestionOptions> options) : VectorStoreCollection<Guid, DocumentChunk>
{
    // Created once per process, on the first upsert, when the embedding's size is known.
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Created = new();

    private string Collection => options.Value.QdrantCollection;

    public override string Name => tenant.RequiredTenantId.ToString();

    public override async Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, $"collections/{Collection}/exists", null, cancellationToken))!["exists"]!.GetValue<bool>();

    /// <summary>Not here: the shared collection is created by the first upsert, which knows the embedding's size.</summary>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The shared chunks collection is created by the first upsert, which knows the embedding's size.");

    /// <summary>Deletes the tenant's points; the shared collection stays.</summary>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"collections/{Collection}/points/delete?wait=true", new JsonObject { ["filter"] = TenantFilter() }, cancellationToken, NotCreatedYet);

    public override async Task<DocumentChunk?> GetAsync(Guid key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetAsync([key], options, cancellationToken).FirstOrDefaultAsync(cancellationToken);

    public override async IAsyncEnumerable<DocumentChunk> GetAsync(
        IEnumerable<Guid> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Points by id through a filtered scroll, so an id of another tenant's point finds nothing.
        var ids = keys.Select(k => (JsonNode)k.ToString()).ToArray();
        var filter = TenantFilter(new JsonObject { ["has_id"] = new JsonArray(ids) });
        foreach (var point in await ScrollAsync(filter, ids.Length, options?.IncludeVectors ?? false, cancellationToken))
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
        var points = await ScrollAsync(TenantFilter([.. Conditions(filter.Body)]), top + skip, options?.IncludeVectors ?? false, cancellationToken);
        foreach (var point in points.OrderBy(c => c.DocumentId).ThenBy(c => c.Index).Skip(skip))
        {
            yield return point;
        }
    }

    public override Task DeleteAsync(Guid key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    public override Task DeleteAsync(IEnumerable<Guid> keys, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"collections/{Collection}/points/delete?wait=true", new JsonObject
        {
            ["filter"] = TenantFilter(new JsonObject { ["has_id"] = new JsonArray([.. keys.Select(k => (JsonNode)k.ToString())]) }),
        }, cancellationToken, NotCreatedYet);

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
        var key = $"{http.BaseAddress}{Collection}";
        var creating = Created.GetOrAdd(key, _ => new Lazy<Task>(() => CreateCollectionAsync(chunks[0].Embedding!.Length, cancellationToken)));
        try
        {
            await creating.Value;
        }
        catch
        {
            Created.TryRemove(new(key, creating));
            throw;
        }
        await SendAsync(HttpMethod.Put, $"collections/{Collection}/points?wait=true", new JsonObject
        {
            ["points"] = new JsonArray([.. chunks.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id.ToString(),
                ["vector"] = new JsonArray([.. c.Embedding!.Select(v => (JsonNode)v)]),
                ["payload"] = new JsonObject
                {
                    [TenantKey] = c.TenantId.ToString(),
                    [DocumentKey] = c.DocumentId.ToString(),
                    [IndexKey] = c.Index,
                    ["heading"] = c.Heading,
                    ["text"] = c.Text,
                    ["token_count"] = c.TokenCount,
                },
            })]),
        }, cancellationToken);
    }

    /// <summary>The tenant's nearest chunks to a vector (<c>float[]</c> or <c>ReadOnlyMemory&lt;float&gt;</c>), best first.</summary>
    public override async IAsyncEnumerable<VectorSearchResult<DocumentChunk>> SearchAsync<TInput>(
        TInput searchValue, int top, VectorSearchOptions<DocumentChunk>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = searchValue switch
        {
            float[] vector => vector,
            ReadOnlyMemory<float> memory => memory.ToArray(),
            _ => throw new NotSupportedException($"Search by {typeof(TInput).Name} is not supported: pass the query's embedding."),
        };
        var body = new JsonObject
        {
            ["query"] = new JsonArray([.. query.Select(v => (JsonNode)v)]),
            ["limit"] = top,
            ["offset"] = options?.Skip ?? 0,
            ["filter"] = TenantFilter([.. options?.Filter is { } filter ? Conditions(filter.Body) : []]),
            ["with_payload"] = true,
            ["with_vector"] = options?.IncludeVectors ?? false,
        };
        if (options?.ScoreThreshold is { } threshold)
        {
            body["score_threshold"] = threshold;
        }
        var result = await SendAsync(HttpMethod.Post, $"collections/{Collection}/points/query", body, cancellationToken, NotCreatedYet);
        foreach (var point in result?["points"]!.AsArray() ?? [])
        {
            yield return new VectorSearchResult<DocumentChunk>(Chunk(point!), point!["score"]!.GetValue<double>());
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    // Before the first upsert creates the collection, reads find nothing and deletes have nothing to do.
    private const HttpStatusCode NotCreatedYet = HttpStatusCode.NotFound;

    private const string TenantKey = "tenant_id";
    private const string DocumentKey = "document_id";
    private const string IndexKey = "index";

    private async Task CreateCollectionAsync(int dimensions, CancellationToken cancellationToken)
    {
        if (!await CollectionExistsAsync(cancellationToken))
        {
            await SendAsync(HttpMethod.Put, $"collections/{Collection}",
                new JsonObject { ["vectors"] = new JsonObject { ["size"] = dimensions, ["distance"] = "Cosine" } }, cancellationToken, HttpStatusCode.Conflict);
        }
        // Qdrant's multitenancy: a keyword index on the tenant key, marked as such, keeps each tenant's points together.
        await SendAsync(HttpMethod.Put, $"collections/{Collection}/index?wait=true",
            new JsonObject { ["field_name"] = TenantKey, ["field_schema"] = new JsonObject { ["type"] = "keyword", ["is_tenant"] = true } }, cancellationToken);
        await SendAsync(HttpMethod.Put, $"collections/{Collection}/index?wait=true",
            new JsonObject { ["field_name"] = DocumentKey, ["field_schema"] = "keyword" }, cancellationToken);
    }

    private async Task<List<DocumentChunk>> ScrollAsync(JsonObject filter, int limit, bool withVectors, CancellationToken cancellationToken)
    {
        var chunks = new List<DocumentChunk>();
        JsonNode? offset = null;
        do
        {
            var page = await SendAsync(HttpMethod.Post, $"collections/{Collection}/points/scroll", new JsonObject
            {
                ["filter"] = filter.DeepClone(),
                ["limit"] = Math.Min(limit - chunks.Count, 1_000),
                ["offset"] = offset?.DeepClone(),
                ["with_payload"] = true,
                ["with_vector"] = withVectors,
            }, cancellationToken, NotCreatedYet);
            chunks.AddRange(page?["points"]!.AsArray().Select(p => Chunk(p!)) ?? []);
            offset = page?["next_page_offset"];
        }
        while (offset is not null && chunks.Count < limit);
        return chunks;
    }

    /// <summary>The current tenant's points, and only those, meeting <paramref name="conditions"/>.</summary>
    private JsonObject TenantFilter(params JsonObject[] conditions) => new()
    {
        ["must"] = new JsonArray([new JsonObject { ["key"] = TenantKey, ["match"] = new JsonObject { ["value"] = tenant.RequiredTenantId.ToString() } }, .. conditions]),
    };

    /// <summary>Qdrant conditions for <c>c.DocumentId == x</c> and <c>c.Index == n</c>, joined by <c>&amp;&amp;</c>.</summary>
    private static IEnumerable<JsonObject> Conditions(Expression expression) => expression switch
    {
        BinaryExpression { NodeType: ExpressionType.AndAlso } and => Conditions(and.Left).Concat(Conditions(and.Right)),
        BinaryExpression { NodeType: ExpressionType.Equal, Left: MemberExpression { Member.Name: var member, Expression: ParameterExpression } } equal =>
            [Match(member, equal.Right)],
        BinaryExpression { NodeType: ExpressionType.Equal, Right: MemberExpression { Member.Name: var member, Expression: ParameterExpression } } equal =>
            [Match(member, equal.Left)],
        _ => throw new NotSupportedException($"Qdrant filters here are equalities of DocumentId or Index joined by &&, not '{expression}'."),
    };

    private static JsonObject Match(string member, Expression value)
    {
        var constant = Expression.Lambda(Expression.Convert(value, typeof(object))).Compile().DynamicInvoke();
        JsonNode matched = member switch
        {
            nameof(DocumentChunk.DocumentId) => constant!.ToString()!,
            nameof(DocumentChunk.Index) => (int)constant!,
            _ => throw new NotSupportedException($"Qdrant filters here match DocumentId or Index, not {member}."),
        };
        return new JsonObject { ["key"] = member == nameof(DocumentChunk.Index) ? IndexKey : DocumentKey, ["match"] = new JsonObject { ["value"] = matched } };
    }

    private static DocumentChunk Chunk(JsonNode point)
    {
        var payload = point["payload"]!;
        return new DocumentChunk
        {
            Id = Guid.Parse(point["id"]!.GetValue<string>()),
            TenantId = Guid.Parse(payload[TenantKey]!.GetValue<string>()),
            DocumentId = Guid.Parse(payload[DocumentKey]!.GetValue<string>()),
            Index = payload[IndexKey]!.GetValue<int>(),
            Heading = payload["heading"]?.GetValue<string>(),
            Text = payload["text"]!.GetValue<string>(),
            TokenCount = payload["token_count"]!.GetValue<int>(),
            Embedding = point["vector"] is JsonArray vector ? [.. vector.Select(v => v!.GetValue<float>())] : null,
        };
    }

    /// <summary>Sends a request and returns Qdrant's <c>result</c>; any other status than success (or <paramref name="alsoFine"/>) throws.</summary>
    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken, HttpStatusCode? alsoFine = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == alsoFine)
        {
            return null;
        }
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Qdrant answered {(int)response.StatusCode} to {method} {path}: {text}", null, response.StatusCode);
        }
        return JsonNode.Parse(text)?["result"];
    }
}
