using Analytics.Model;
using Microsoft.EntityFrameworkCore;

namespace Analytics.Infrastructure;

public sealed class AnalyticsDbContext(DbContextOptions<AnalyticsDbContext> options) : DbContext(options)
{
    public DbSet<PingReceipt> PingReceipts => Set<PingReceipt>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PingReceipt>(receipt =>
        {
            receipt.ToTable("ping_receipts");
            receipt.Property(r => r.Id).HasColumnName("id").ValueGeneratedNever();
            receipt.Property(r => r.TraceId).HasColumnName("trace_id").HasMaxLength(32);
            receipt.Property(r => r.PublishedAt).HasColumnName("published_at");
            receipt.Property(r => r.ReceivedAt).HasColumnName("received_at");
        });

        // The read model is written and read in SQL (UsageRollupHandler, UsageQueries); these mappings give it its schema.
        // Tenant-owned: row-level security (see the migration) confines every statement to app.tenant_id.
        modelBuilder.Entity<UsageRollup>(rollup =>
        {
            rollup.ToTable("usage_rollups");
            rollup.HasKey(r => new { r.TenantId, r.Minute, r.Model, r.Provider, r.KeyId });
            rollup.Property(r => r.TenantId).HasColumnName("tenant_id");
            rollup.Property(r => r.Minute).HasColumnName("minute");
            rollup.Property(r => r.Model).HasColumnName("model");
            rollup.Property(r => r.Provider).HasColumnName("provider");
            rollup.Property(r => r.KeyId).HasColumnName("key_id");
            rollup.Property(r => r.Requests).HasColumnName("requests");
            rollup.Property(r => r.Errors).HasColumnName("errors");
            rollup.Property(r => r.InputTokens).HasColumnName("input_tokens");
            rollup.Property(r => r.OutputTokens).HasColumnName("output_tokens");
            // Unbounded numeric: sums of decimal costs stay exact.
            rollup.Property(r => r.Cost).HasColumnName("cost").HasColumnType("numeric");
            rollup.Property(r => r.CacheHits).HasColumnName("cache_hits");
            rollup.Property(r => r.SemanticCacheHits).HasColumnName("semantic_cache_hits");
            rollup.Property(r => r.CacheableRequests).HasColumnName("cacheable_requests");
            rollup.Property(r => r.LatencyMsSum).HasColumnName("latency_ms_sum");
        });

        modelBuilder.Entity<LatencyBin>(bin =>
        {
            bin.ToTable("latency_bins");
            bin.HasKey(b => new { b.TenantId, b.Minute, b.Model, b.Provider, b.KeyId, b.Bin });
            bin.Property(b => b.TenantId).HasColumnName("tenant_id");
            bin.Property(b => b.Minute).HasColumnName("minute");
            bin.Property(b => b.Model).HasColumnName("model");
            bin.Property(b => b.Provider).HasColumnName("provider");
            bin.Property(b => b.KeyId).HasColumnName("key_id");
            bin.Property(b => b.Bin).HasColumnName("bin");
            bin.Property(b => b.Count).HasColumnName("count");
        });

        // The consumer's bookkeeping, not tenant data: event ids only, pruned by age across all tenants.
        modelBuilder.Entity<ProcessedUsageEvent>(processed =>
        {
            processed.ToTable("usage_ledger");
            processed.HasKey(p => p.EventId);
            processed.Property(p => p.EventId).HasColumnName("event_id").ValueGeneratedNever();
            processed.Property(p => p.ProcessedAt).HasColumnName("processed_at").HasDefaultValueSql("now()");
            // Rows arrive in time order, so a BRIN index finds the old ones for almost nothing per insert.
            processed.HasIndex(p => p.ProcessedAt).HasMethod("brin");
        });
    }
}
