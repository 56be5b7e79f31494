using System.Data;
using Analytics.Infrastructure;
using Analytics.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Analytics.Services;

/// <summary>Reads the calling tenant's rollups and latency bins, added up per time bucket and per dimension.</summary>
public sealed class UsageQueries(AnalyticsDbContext db, TenantContext tenant)
{
    /// <summary>
    /// Usage of the minutes starting in [<paramref name="from"/>, <paramref name="to"/>), one tally per bucket
    /// (null without <paramref name="bucket"/>) and dimension value (null without <paramref name="dimension"/>).
    /// </summary>
    public async Task<Dictionary<(DateTimeOffset? Bucket, string? Key), UsageTally>> ReadAsync(
        DateTimeOffset from, DateTimeOffset to, TimeBucket? bucket, UsageDimension? dimension, CancellationToken cancellationToken)
    {
        // Both expressions come from fixed lists, never from the request's text.
        var bucketSql = bucket is null ? "NULL::timestamptz" : $"date_bin('{(int)bucket.Stride.TotalMinutes} minutes', minute, TIMESTAMPTZ '2000-01-01 00:00:00+00')";
        var keySql = dimension is null ? "NULL::text" : dimension.Column;
        // The interceptor sets app.tenant_id on open, so row-level security holds even without the WHERE clause.
        // One snapshot for both statements: bins committed between them would have no tally.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction())
        {
            BatchCommands =
            {
                Range($"""
                    SELECT {bucketSql}, {keySql}, sum(requests)::bigint, sum(errors)::bigint, sum(input_tokens)::bigint, sum(output_tokens)::bigint, sum(cost),
                        sum(cache_hits)::bigint, sum(semantic_cache_hits)::bigint, sum(cacheable_requests)::bigint, sum(latency_ms_sum)
                    FROM usage_rollups WHERE tenant_id = @tenant AND minute >= @from AND minute < @to
                    GROUP BY 1, 2
                    """),
                Range($"""
                    SELECT {bucketSql}, {keySql}, bin, sum(count)::bigint
                    FROM latency_bins WHERE tenant_id = @tenant AND minute >= @from AND minute < @to
                    GROUP BY 1, 2, 3
                    """),
            },
        };
        var tallies = new Dictionary<(DateTimeOffset?, string?), UsageTally>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tallies[CellOf(reader)] = new UsageTally
            {
                Requests = reader.GetInt64(2),
                Errors = reader.GetInt64(3),
                InputTokens = reader.GetInt64(4),
                OutputTokens = reader.GetInt64(5),
                Cost = reader.GetDecimal(6),
                CacheHits = reader.GetInt64(7),
                SemanticCacheHits = reader.GetInt64(8),
                CacheableRequests = reader.GetInt64(9),
                LatencyMsSum = reader.GetDouble(10),
            };
        }
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Bins and rollups are written in the same statement, so every bin has its tally.
            tallies[CellOf(reader)].Latency.Add(reader.GetInt32(2), reader.GetInt64(3));
        }
        return tallies;

        NpgsqlBatchCommand Range(string sql) => new(sql)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid>("tenant", tenant.RequiredTenantId),
                new NpgsqlParameter<DateTimeOffset>("from", from.ToUniversalTime()),
                new NpgsqlParameter<DateTimeOffset>("to", to.ToUniversalTime()),
            },
        };
    }

    private static (DateTimeOffset?, string?) CellOf(NpgsqlDataReader reader) => (
        reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0),
        reader.IsDBNull(1) ? null : reader.GetString(1));
}
