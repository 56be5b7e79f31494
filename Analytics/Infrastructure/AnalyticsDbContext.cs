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
    }
}
