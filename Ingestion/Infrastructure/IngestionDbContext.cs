using Ingestion.Model;
using Microsoft.EntityFrameworkCore;

namespace Ingestion.Infrastructure;

public sealed class IngestionDbContext(DbContextOptions<IngestionDbContext> options) : DbContext(options)
{
    public DbSet<Document> Documents => Set<Document>();

    public DbSet<DocumentChunk> Chunks => Set<DocumentChunk>();

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
            document.Property(d => d.RawContent).HasColumnName("raw_content");
            document.Property(d => d.Text).HasColumnName("text");
            document.Property(d => d.Reason).HasColumnName("reason").HasMaxLength(1024);
            document.Property(d => d.ChunkCount).HasColumnName("chunk_count");
            document.Property(d => d.ProcessedAt).HasColumnName("processed_at");
            document.Property(d => d.ContentHash).HasColumnName("content_hash").HasMaxLength(64);
            document.Property(d => d.SizeBytes).HasColumnName("size_bytes");
            document.Property(d => d.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            document.Property(d => d.CreatedAt).HasColumnName("created_at");
            document.HasIndex(d => new { d.TenantId, d.ContentHash }).IsUnique();
        });

        modelBuilder.Entity<DocumentChunk>(chunk =>
        {
            chunk.ToTable("document_chunks");
            chunk.Property(c => c.Id).HasColumnName("id");
            chunk.Property(c => c.TenantId).HasColumnName("tenant_id");
            chunk.Property(c => c.DocumentId).HasColumnName("document_id");
            chunk.Property(c => c.Index).HasColumnName("index");
            chunk.Property(c => c.Heading).HasColumnName("heading").HasMaxLength(512);
            chunk.Property(c => c.Text).HasColumnName("text");
            chunk.Property(c => c.TokenCount).HasColumnName("token_count");
            chunk.Property(c => c.Embedding).HasColumnName("embedding");
            chunk.Property(c => c.EmbeddingModel).HasColumnName("embedding_model").HasMaxLength(256);
            chunk.HasIndex(c => new { c.DocumentId, c.Index }).IsUnique();
            // Deleting a document deletes its chunks.
            chunk.HasOne<Document>().WithMany().HasForeignKey(c => c.DocumentId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
