using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Ingestion.Model;
using Microsoft.Extensions.VectorData;
using Qdrant.Client.Grpc;

namespace Ingestion.Infrastructure;

public sealed partial class QdrantChunkCollection
{
    // As PostgreSQL's: each list offers this many times the results asked for to the fusion.
    private const int CandidatesPerResult = 4;

    /// <summary>
    /// The chunks nearest to a vector and those whose words best match <paramref name="keywords"/> (one batch of two
    /// queries, both through the tenant filter), ranked as <see cref="PostgresChunkCollection"/> ranks them: the cosine
    /// plus <see cref="IngestionOptions.HybridTextWeight"/> times a text score in [0, 1]. Qdrant does not return the
    /// query's total IDF, so the text score is the chunk's BM25 over the best match's: the best scores 1 however common
    /// its words (PostgreSQL's is the share of the query's rarity it holds), and IDF counts every tenant's chunks, not
    /// only the caller's. A chunk found by its words alone is scored by its own vector's cosine. A collection created
    /// before the text vector is searched by vector alone.
    /// </summary>
    public async IAsyncEnumerable<VectorSearchResult<DocumentChunk>> HybridSearchAsync<TInput>(
        TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<DocumentChunk>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        var query = QueryVector(searchValue);
        var terms = SparseTextVector.OfQuery(keywords);
        var skip = options?.Skip ?? 0;
        var includeVectors = options?.IncludeVectors ?? false;
        if (terms.Indices.Count == 0 || await TextIndexedAsync(cancellationToken) is not true)
        {
            var vectorOptions = new VectorSearchOptions<DocumentChunk> { Filter = options?.Filter, Skip = skip, IncludeVectors = includeVectors, ScoreThreshold = options?.ScoreThreshold };
            await foreach (var result in SearchAsync(query, top, vectorOptions, cancellationToken))
            {
                yield return result;
            }
            yield break;
        }
        var filter = TenantFilter([.. ConditionsOf(options?.Filter)]);
        var candidates = (ulong)((top + skip) * CandidatesPerResult);
        var found = await UnlessNotCreatedAsync(() => qdrant.QueryBatchAsync(Collection,
        [
            new QueryPoints { Query = query, Filter = filter, Limit = candidates, WithPayload = true, WithVectors = includeVectors },
            // With the vectors: a chunk found only here is scored by its cosine too.
            new QueryPoints { Query = new VectorInput { Sparse = terms }, Using = TextVector, Filter = filter, Limit = candidates, WithPayload = true, WithVectors = true },
        ], cancellationToken: cancellationToken), []);
        if (found is not [var nearest, var matching])
        {
            yield break;
        }
        var cosines = nearest.Result.ToDictionary(p => p.Id.Uuid, p => (double)p.Score);
        var best = matching.Result.Count > 0 ? matching.Result.Max(p => p.Score) : 0;
        var text = matching.Result.ToDictionary(p => p.Id.Uuid, p => (double)p.Score / best);
        var weight = HybridTextWeight;
        var ranked = nearest.Result.UnionBy(matching.Result, p => p.Id.Uuid)
            .Select(point => (Point: point, Score:
                (cosines.TryGetValue(point.Id.Uuid, out var cosine) ? cosine : Cosine(point.Vectors, query)) + (weight * text.GetValueOrDefault(point.Id.Uuid))))
            .OrderByDescending(r => r.Score).ThenBy(r => r.Point.Id.Uuid)
            .Skip(skip).Take(top);
        foreach (var (point, score) in ranked)
        {
            if (options?.ScoreThreshold is not { } threshold || score >= threshold)
            {
                yield return new VectorSearchResult<DocumentChunk>(Chunk(point.Id, point.Payload, includeVectors ? point.Vectors : null), score);
            }
        }
    }

    /// <summary>
    /// The tenant's chunks whose words best match any of <paramref name="keywords"/> (BM25 of the sparse text vector),
    /// best first, each scored over the best match's score.
    /// </summary>
    public async IAsyncEnumerable<VectorSearchResult<DocumentChunk>> TextSearchAsync(
        ICollection<string> keywords, int top, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var terms = SparseTextVector.OfQuery(keywords);
        if (terms.Indices.Count == 0 || await TextIndexedAsync(cancellationToken) is not true)
        {
            yield break;
        }
        var points = await UnlessNotCreatedAsync(() => qdrant.QueryAsync(Collection, new VectorInput { Sparse = terms }, usingVector: TextVector,
            filter: TenantFilter(), limit: (ulong)top, payloadSelector: true, cancellationToken: cancellationToken), []);
        foreach (var point in points)
        {
            yield return new VectorSearchResult<DocumentChunk>(Chunk(point.Id, point.Payload, null), point.Score / points[0].Score);
        }
    }

    public async Task<string?> TextSearchUnavailableAsync(CancellationToken cancellationToken = default) =>
        await TextIndexedAsync(cancellationToken) is false
            ? $"The Qdrant collection '{Collection}' was created before full-text search and has no '{TextVector}' sparse vector: "
                + "it must be created again to search by words (delete it, restart Ingestion, process the documents again)."
            : null;

    /// <summary>Whether the collection has the text vector; null while there is no collection.</summary>
    private async Task<bool?> TextIndexedAsync(CancellationToken cancellationToken)
    {
        var asking = TextIndexed.GetOrAdd(Collection, _ => new Lazy<Task<bool>>(async () =>
            (await qdrant.GetCollectionInfoAsync(Collection, cancellationToken)).Config.Params.SparseVectorsConfig?.Map.ContainsKey(TextVector) == true));
        try
        {
            return await asking.Value;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // Asked again once the first upsert has created it.
            TextIndexed.TryRemove(new(Collection, asking));
            return null;
        }
        catch
        {
            TextIndexed.TryRemove(new(Collection, asking));
            throw;
        }
    }

    private static double Cosine(VectorsOutput? vectors, float[] query) =>
        DenseOf(vectors) is { } dense && dense.Count == query.Length ? TensorPrimitives.CosineSimilarity([.. dense], query) : 0;
}
