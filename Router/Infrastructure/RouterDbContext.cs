using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Router.Model;

namespace Router.Infrastructure;

public sealed class RouterDbContext(DbContextOptions<RouterDbContext> options) : DbContext(options)
{
    public DbSet<RoutingPolicy> RoutingPolicies => Set<RoutingPolicy>();

    public DbSet<IntentExample> IntentExamples => Set<IntentExample>();

    public DbSet<PolicyCanary> PolicyCanaries => Set<PolicyCanary>();

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
            policy.Property(p => p.Strategy).HasColumnName("strategy").HasMaxLength(16).HasDefaultValue(RoutingPolicyStrategies.Auto);
            policy.Property(p => p.Hedge).HasColumnName("hedge").HasDefaultValue(2);
            policy.Property(p => p.FreeFirst).HasColumnName("free_first");
        });

        modelBuilder.Entity<PolicyCanary>(canary =>
        {
            canary.ToTable("policy_canaries");
            canary.HasKey(c => c.TenantId);
            canary.Property(c => c.TenantId).HasColumnName("tenant_id").ValueGeneratedNever();
            canary.Property(c => c.Policy).HasColumnName("policy").HasColumnType("jsonb").HasConversion(
                policy => JsonSerializer.Serialize(policy, JsonSerializerOptions.Web),
                json => JsonSerializer.Deserialize<RoutingPolicy>(json, JsonSerializerOptions.Web)!);
            canary.Property(c => c.Share).HasColumnName("share");
            canary.Property(c => c.Status).HasColumnName("status").HasMaxLength(16);
            canary.Property(c => c.Reason).HasColumnName("reason").HasMaxLength(500);
            canary.Property(c => c.StartedAt).HasColumnName("started_at").IsConcurrencyToken();
            canary.Property(c => c.EndedAt).HasColumnName("ended_at");
        });

        modelBuilder.Entity<IntentExample>(example =>
        {
            example.ToTable("intent_examples");
            example.Property(e => e.Id).HasColumnName("id");
            example.Property(e => e.TenantId).HasColumnName("tenant_id");
            example.Property(e => e.Intent).HasColumnName("intent").HasMaxLength(64);
            example.Property(e => e.Text).HasColumnName("text").HasMaxLength(2000);
            example.Property(e => e.CreatedAt).HasColumnName("created_at");
            example.HasIndex(e => e.TenantId);
        });
    }
}
