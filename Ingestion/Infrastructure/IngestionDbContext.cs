using Ingestion.Model;
using Microsoft.EntityFrameworkCore;

namespace Ingestion.Infrastructure;

public sealed class IngestionDbContext(DbContextOptions<IngestionDbContext> options) : DbContext(options)
{
    public DbSet<Document> Documents => Set<Document>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Tenant-owned: row-level security (see the migration) confines every query to app.tenant_id.
        modelBuilder.Entity<Document>(document =>
        {
            document.ToTable("documents");
            document.Property(d => d.Id).HasColumnName("id");
            document.Property(d => d.TenantId).HasColumnName("tenant_id");
            document.Property(d => d.Name).HasColumnName("name").HasMaxLength(256);
            document.Property(d => d.ContentType).HasColumnName("content_type").HasMaxLength(128);
            document.Property(d => d.Content).HasColumnName("content");
            document.Property(d => d.ContentHash).HasColumnName("content_hash").HasMaxLength(64);
            document.Property(d => d.SizeBytes).HasColumnName("size_bytes");
            document.Property(d => d.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            document.Property(d => d.CreatedAt).HasColumnName("created_at");
            document.HasIndex(d => new { d.TenantId, d.ContentHash }).IsUnique();
        });
    }
}
