using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Ingestion.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NATS.Client.Core;

namespace Ingestion.Services;

/// <summary>
/// Each tenant's chunk vectors in memory, searched with SIMD dot products (the vectors are normalised, so the dot
/// product is the cosine). A tenant's index is loaded from PostgreSQL (under RLS) on its first search and dropped
/// whenever its documents change: by this replica directly, and by every replica through a NATS broadcast.
/// </summary>
public sealed class TenantVectorIndex(INatsConnection nats)
{
    public const string ChangedSubject = "vectors.changed";

    private readonly ConcurrentDictionary<Guid, Lazy<Task<Snapshot>>> _tenants = new();

    public async Task<List<(Guid ChunkId, float Score)>> SearchAsync(Guid tenantId, IngestionDbContext db, float[] query, int top, CancellationToken cancellationToken)
    {
        var lazy = _tenants.GetOrAdd(tenantId, _ => new Lazy<Task<Snapshot>>(() => LoadAsync(db, query.Length, cancellationToken)));
        Snapshot snapshot;
        try
        {
            snapshot = await lazy.Value;
        }
        catch
        {
            _tenants.TryRemove(new(tenantId, lazy));
            throw;
        }

        return [.. Nearest(snapshot.Vectors, snapshot.Dimensions, query, top).Select(n => (snapshot.Ids[n.Index], n.Score))];
    }

    /// <summary>
    /// The <paramref name="top"/> rows of <paramref name="vectors"/> (row-major, <paramref name="dimensions"/> wide)
    /// with the highest dot product with <paramref name="query"/>, best first: a bounded min-heap, no full sort.
    /// </summary>
    public static List<(int Index, float Score)> Nearest(float[] vectors, int dimensions, float[] query, int top)
    {
        var best = new PriorityQueue<int, float>(top + 1);
        for (var i = 0; dimensions > 0 && i < vectors.Length / dimensions; i++)
        {
            var score = TensorPrimitives.Dot(vectors.AsSpan(i * dimensions, dimensions), query);
            if (best.Count < top)
            {
                best.Enqueue(i, score);
            }
            else if (best.TryPeek(out _, out var worst) && score > worst)
            {
                best.DequeueEnqueue(i, score);
            }
        }
        var results = new List<(int, float)>(best.Count);
        while (best.TryDequeue(out var index, out var score))
        {
            results.Add((index, score));
        }
        results.Reverse();
        return results;
    }

    /// <summary>Drops the tenant's index here and, through NATS, in every replica.</summary>
    public async Task ChangedAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        Forget(tenantId);
        await nats.PublishAsync(ChangedSubject, tenantId.ToString(), cancellationToken: cancellationToken);
    }

    public void Forget(Guid tenantId) => _tenants.TryRemove(tenantId, out _);

    /// <summary>The tenant's vectors of the query's size: chunks embedded by an earlier model are left out until processed again.</summary>
    private static async Task<Snapshot> LoadAsync(IngestionDbContext db, int dimensions, CancellationToken cancellationToken)
    {
        var rows = await db.Chunks.AsNoTracking().Where(c => c.Embedding != null && c.Embedding.Length == dimensions)
            .Select(c => new { c.Id, c.Embedding }).ToListAsync(cancellationToken);
        var vectors = new float[rows.Count * dimensions];
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Embedding.AsSpan().CopyTo(vectors.AsSpan(i * dimensions));
        }
        return new Snapshot([.. rows.Select(r => r.Id)], vectors, dimensions);
    }

    private sealed record Snapshot(Guid[] Ids, float[] Vectors, int Dimensions);
}

/// <summary>Drops a tenant's index when another replica says its documents changed.</summary>
public sealed class VectorIndexListener(INatsConnection nats, TenantVectorIndex index) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var message in nats.SubscribeAsync<string>(TenantVectorIndex.ChangedSubject, cancellationToken: stoppingToken))
                {
                    if (Guid.TryParse(message.Data, out var tenantId))
                    {
                        index.Forget(tenantId);
                    }
                }
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
