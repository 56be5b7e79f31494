using Microsoft.EntityFrameworkCore;
using Router.Model;

namespace Router.Infrastructure;

public sealed class RouterDbContext(DbContextOptions<RouterDbContext> options) : DbContext(options)
{
    public DbSet<RoutingPolicy> RoutingPolicies => Set<RoutingPolicy>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Tenant-owned: row-level security (see the migration) confines every query to app.tenant_id.
        modelBuilder.Entity<RoutingPolicy>(policy =>
        {
            policy.ToTable("routing_policies");
            policy.HasKey(p => p.TenantId);
            policy.Property(p => p.TenantId).HasColumnName("tenant_id").ValueGeneratedNever();
            policy.Property(p => p.AllowedModels).HasColumnName("allowed_models");
            policy.Property(p => p.MaxCostPerRequest).HasColumnName("max_cost_per_request").HasPrecision(18, 8);
            policy.Property(p => p.PreferredTiers).HasColumnName("preferred_tiers");
            policy.Property(p => p.Lambda).HasColumnName("lambda");
            policy.Property(p => p.Tags).HasColumnName("tags");
            policy.Property(p => p.Version).HasColumnName("version").IsConcurrencyToken();
            policy.Property(p => p.UpdatedAt).HasColumnName("updated_at");
        });
    }
}
