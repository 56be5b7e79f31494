using Billing.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Services;

/// <summary>
/// Meters a batch of usage events in one transaction and one round trip: each tenant's events go into the ledger
/// (<c>metered_events</c>, keyed by event id, so a duplicate or a redelivery is skipped) and only the events new to
/// the ledger are added to the day and month counters. Row-level security holds: each tenant's statements run
/// under that tenant.
/// </summary>
public sealed class UsageMeter(BillingDbContext db)
{
    private const string MeterSql = """
        WITH metered AS (
            INSERT INTO metered_events (id, tenant_id, key_id, model, input_tokens, output_tokens, cost, input_price_per_million, output_price_per_million, status_code, occurred_at)
            SELECT e.id, @tenant, e.key_id, e.model, e.input_tokens, e.output_tokens, e.cost, e.input_price, e.output_price, e.status_code, e.occurred_at
            FROM unnest(@ids, @keys, @models, @inputs, @outputs, @costs, @input_prices, @output_prices, @statuses, @times)
                AS e(id, key_id, model, input_tokens, output_tokens, cost, input_price, output_price, status_code, occurred_at)
            ON CONFLICT (id) DO NOTHING
            RETURNING key_id, model, input_tokens, output_tokens, cost, occurred_at)
        INSERT INTO usage_counters AS c (tenant_id, period, period_start, key_id, model, requests, input_tokens, output_tokens, cost)
        SELECT @tenant, p.period, p.period_start, m.key_id, m.model, count(*), sum(m.input_tokens), sum(m.output_tokens), sum(m.cost)
        FROM metered m
        CROSS JOIN LATERAL (VALUES ('day', (m.occurred_at AT TIME ZONE 'UTC')::date),
                                   ('month', date_trunc('month', m.occurred_at AT TIME ZONE 'UTC')::date)) AS p(period, period_start)
        GROUP BY p.period, p.period_start, m.key_id, m.model
        ORDER BY p.period, p.period_start, m.key_id, m.model
        ON CONFLICT (tenant_id, period, period_start, key_id, model) DO UPDATE
        SET requests = c.requests + excluded.requests,
            input_tokens = c.input_tokens + excluded.input_tokens,
            output_tokens = c.output_tokens + excluded.output_tokens,
            cost = c.cost + excluded.cost
        """;

    /// <summary>Meters <paramref name="events"/>; returns those of their tenants that have limits to enforce.</summary>
    public async Task<IReadOnlyList<Guid>> RecordAsync(IReadOnlyList<UsageIntegrationEvent> events, CancellationToken cancellationToken)
    {
        // In a fixed order, so replicas metering overlapping batches take their row locks in the same order.
        var tenants = events.GroupBy(e => e.TenantId).OrderBy(t => t.Key).ToList();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(Command("INSERT INTO billed_tenants (tenant_id, has_limits) SELECT unnest(@tenants), false ON CONFLICT DO NOTHING",
                new NpgsqlParameter<Guid[]>("tenants", [.. tenants.Select(t => t.Key)])));
            foreach (var tenant in tenants)
            {
                // A duplicate inside one batch is dropped here; one across batches by the ledger's key.
                var rows = tenant.DistinctBy(e => e.Id).OrderBy(e => e.Id).ToList();
                batch.BatchCommands.Add(Command("SELECT set_config('app.tenant_id', @tenant, true)", new NpgsqlParameter<string>("tenant", tenant.Key.ToString())));
                batch.BatchCommands.Add(Command(MeterSql,
                    new NpgsqlParameter<Guid>("tenant", tenant.Key),
                    new NpgsqlParameter<Guid[]>("ids", [.. rows.Select(e => e.Id)]),
                    new NpgsqlParameter<Guid[]>("keys", [.. rows.Select(e => e.KeyId)]),
                    new NpgsqlParameter<string[]>("models", [.. rows.Select(e => e.Model ?? "")]),
                    new NpgsqlParameter<long[]>("inputs", [.. rows.Select(e => e.InputTokens)]),
                    new NpgsqlParameter<long[]>("outputs", [.. rows.Select(e => e.OutputTokens)]),
                    new NpgsqlParameter<decimal[]>("costs", [.. rows.Select(e => e.Cost)]),
                    new NpgsqlParameter<decimal[]>("input_prices", [.. rows.Select(e => e.InputPricePerMillion)]),
                    new NpgsqlParameter<decimal[]>("output_prices", [.. rows.Select(e => e.OutputPricePerMillion)]),
                    new NpgsqlParameter<int[]>("statuses", [.. rows.Select(e => e.StatusCode)]),
                    new NpgsqlParameter<DateTime[]>("times", [.. rows.Select(e => e.OccurredAt.UtcDateTime)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz }));
            }
            // Prepared once per pooled connection: planning the statement was a good part of its cost.
            await batch.PrepareAsync(cancellationToken);
            await batch.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);

            await using var limited = new NpgsqlCommand("SELECT tenant_id FROM billed_tenants WHERE has_limits AND tenant_id = ANY(@tenants)", connection);
            limited.Parameters.Add(new NpgsqlParameter<Guid[]>("tenants", [.. tenants.Select(t => t.Key)]));
            var withLimits = new List<Guid>();
            await using var reader = await limited.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                withLimits.Add(reader.GetGuid(0));
            }
            return withLimits;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }
}
