using Analytics.Infrastructure;
using Analytics.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Analytics.IntegrationEvents;

/// <summary>
/// Folds a batch of usage events into the per-minute rollups and latency bins exactly once: each tenant's events go
/// in as arrays, their ids into the ledger, and only the ids that were new are added up, all in one transaction and
/// one round trip. A duplicate, a redelivery or a retry of the batch finds its id in the ledger and adds nothing.
/// </summary>
public sealed class UsageRollupHandler(AnalyticsDbContext db) : IIntegrationEventBatchHandler<UsageIntegrationEvent>
{
    // A request that reached no model, named as the Gateway's metrics name it.
    private const string NoModel = "none";

    private const string FoldSql = $"""
        WITH input AS (
            SELECT * FROM unnest(@ids, @minutes, @models, @providers, @keys, @input_tokens, @output_tokens, @costs, @latencies, @bins, @statuses, @caches)
                AS e(id, minute, model, provider, key_id, input_tokens, output_tokens, cost, latency_ms, bin, status, cache)
        ),
        fresh AS (
            INSERT INTO usage_ledger (event_id) SELECT id FROM input ON CONFLICT DO NOTHING RETURNING event_id
        ),
        folded AS (
            SELECT input.* FROM input JOIN fresh ON fresh.event_id = input.id
        ),
        rollups AS (
            INSERT INTO usage_rollups AS r (tenant_id, minute, model, provider, key_id, requests, errors, input_tokens, output_tokens, cost,
                cache_hits, semantic_cache_hits, cacheable_requests, latency_ms_sum)
            SELECT @tenant, minute, model, provider, key_id, count(*), count(*) FILTER (WHERE status >= 400), sum(input_tokens), sum(output_tokens), sum(cost),
                count(*) FILTER (WHERE cache = '{CacheStatus.Hit}'),
                count(*) FILTER (WHERE cache = '{CacheStatus.SemanticHit}'),
                count(*) FILTER (WHERE cache IN ('{CacheStatus.Hit}', '{CacheStatus.SemanticHit}', '{CacheStatus.Miss}')),
                sum(latency_ms)
            FROM folded
            GROUP BY minute, model, provider, key_id
            ORDER BY minute, model, provider, key_id
            ON CONFLICT (tenant_id, minute, model, provider, key_id) DO UPDATE SET
                requests = r.requests + excluded.requests,
                errors = r.errors + excluded.errors,
                input_tokens = r.input_tokens + excluded.input_tokens,
                output_tokens = r.output_tokens + excluded.output_tokens,
                cost = r.cost + excluded.cost,
                cache_hits = r.cache_hits + excluded.cache_hits,
                semantic_cache_hits = r.semantic_cache_hits + excluded.semantic_cache_hits,
                cacheable_requests = r.cacheable_requests + excluded.cacheable_requests,
                latency_ms_sum = r.latency_ms_sum + excluded.latency_ms_sum
        )
        INSERT INTO latency_bins AS b (tenant_id, minute, model, provider, key_id, bin, count)
        SELECT @tenant, minute, model, provider, key_id, bin, count(*)
        FROM folded
        GROUP BY minute, model, provider, key_id, bin
        ORDER BY minute, model, provider, key_id, bin
        ON CONFLICT (tenant_id, minute, model, provider, key_id, bin) DO UPDATE SET count = b.count + excluded.count
        """;

    public async Task HandleAsync(IReadOnlyList<UsageIntegrationEvent> integrationEvents, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
        // A fixed order of tenants and ids, so concurrent replicas take row locks in the same order and never deadlock.
        foreach (var tenant in integrationEvents.DistinctBy(e => e.Id).GroupBy(e => e.TenantId).OrderBy(t => t.Key))
        {
            // Row-level security: this tenant's rows only, until the next tenant or the end of the transaction.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('app.tenant_id', @tenant, true)")
            {
                Parameters = { new NpgsqlParameter<string>("tenant", tenant.Key.ToString()) },
            });
            batch.BatchCommands.Add(Fold(tenant.Key, [.. tenant.OrderBy(e => e.Id)]));
        }
        // Prepared once per pooled connection: planning the fold again for every tenant of every batch took half the time.
        await batch.PrepareAsync(cancellationToken);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Fold(Guid tenantId, List<UsageIntegrationEvent> events) => new(FoldSql)
    {
        Parameters =
        {
            new NpgsqlParameter<Guid>("tenant", tenantId),
            new NpgsqlParameter<Guid[]>("ids", [.. events.Select(e => e.Id)]),
            new NpgsqlParameter<DateTime[]>("minutes", [.. events.Select(e => TimeBucket.Minute.StartOf(e.OccurredAt).UtcDateTime)]),
            new NpgsqlParameter<string[]>("models", [.. events.Select(e => e.Model ?? NoModel)]),
            new NpgsqlParameter<string[]>("providers", [.. events.Select(e => e.Provider ?? NoModel)]),
            new NpgsqlParameter<Guid[]>("keys", [.. events.Select(e => e.KeyId)]),
            new NpgsqlParameter<long[]>("input_tokens", [.. events.Select(e => e.InputTokens)]),
            new NpgsqlParameter<long[]>("output_tokens", [.. events.Select(e => e.OutputTokens)]),
            new NpgsqlParameter<decimal[]>("costs", [.. events.Select(e => e.Cost)]),
            new NpgsqlParameter<double[]>("latencies", [.. events.Select(e => e.LatencyMs)]),
            new NpgsqlParameter<int[]>("bins", [.. events.Select(e => LatencySketch.BinOf(e.LatencyMs))]),
            new NpgsqlParameter<int[]>("statuses", [.. events.Select(e => e.StatusCode)]),
            new NpgsqlParameter<string[]>("caches", [.. events.Select(e => e.Cache)]),
        },
    };
}
