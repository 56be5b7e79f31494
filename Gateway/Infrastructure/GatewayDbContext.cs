using Gateway.Model;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Infrastructure;

public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Tenants are the platform's own records (the admin API manages them), so this table has no tenant policy.
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.ToTable("tenants");
            tenant.Property(t => t.Id).HasColumnName("id");
            tenant.Property(t => t.Name).HasColumnName("name").HasMaxLength(64);
            tenant.HasIndex(t => t.Name).IsUnique();
            tenant.Property(t => t.Plan).HasColumnName("plan").HasMaxLength(32);
            tenant.Property(t => t.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            tenant.Property(t => t.CreatedAt).HasColumnName("created_at");
        });
    }
}
