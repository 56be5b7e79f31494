using Gateway.Model;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Infrastructure;

public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<TenantUser> TenantUsers => Set<TenantUser>();

    public DbSet<OutboxMessage> UsageOutbox => Set<OutboxMessage>();

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
            tenant.Property(t => t.CacheEnabled).HasColumnName("cache_enabled").HasDefaultValue(true);
            tenant.Property(t => t.SemanticCacheEnabled).HasColumnName("semantic_cache_enabled").HasDefaultValue(true);
        });

        // Tenant-owned: row-level security (see the migration) confines it to app.tenant_id, and lets a lookup
        // see the one row whose hash it already knows (app.api_key_hash), which takes holding the key itself.
        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.Property(k => k.Id).HasColumnName("id");
            key.Property(k => k.TenantId).HasColumnName("tenant_id");
            key.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId);
            key.Property(k => k.Name).HasColumnName("name").HasMaxLength(128);
            key.Property(k => k.Prefix).HasColumnName("prefix").HasMaxLength(16);
            key.Property(k => k.Hash).HasColumnName("hash").HasMaxLength(64);
            key.HasIndex(k => k.Hash).IsUnique();
            key.Property(k => k.Scopes).HasColumnName("scopes");
            key.Property(k => k.AllowedModels).HasColumnName("allowed_models");
            key.Property(k => k.RequestsPerMinute).HasColumnName("requests_per_minute");
            key.Property(k => k.TokensPerMinute).HasColumnName("tokens_per_minute");
            key.Property(k => k.ExpiresAt).HasColumnName("expires_at");
            key.Property(k => k.RevokedAt).HasColumnName("revoked_at");
            key.Property(k => k.CreatedAt).HasColumnName("created_at");
            key.Property(k => k.Kind).HasColumnName("kind").HasMaxLength(16).HasDefaultValue(ApiKeyKinds.Api);
            key.Property(k => k.UserId).HasColumnName("user_id");
            key.HasOne<TenantUser>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.SetNull);
        });

        // Tenant-owned like api_keys: a sign-in sees the one row whose email it names (app.user_email) before it
        // knows the tenant.
        modelBuilder.Entity<TenantUser>(user =>
        {
            user.ToTable("tenant_users");
            user.Property(u => u.Id).HasColumnName("id");
            user.Property(u => u.TenantId).HasColumnName("tenant_id");
            user.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId);
            user.Property(u => u.Email).HasColumnName("email").HasMaxLength(254);
            user.HasIndex(u => u.Email).IsUnique();
            user.Property(u => u.PasswordHash).HasColumnName("password_hash");
            user.Property(u => u.CreatedAt).HasColumnName("created_at");
        });

        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.ToTable("usage_outbox");
            message.Property(m => m.Id).HasColumnName("id").ValueGeneratedNever();
            message.Property(m => m.Subject).HasColumnName("subject").HasMaxLength(128);
            message.Property(m => m.Payload).HasColumnName("payload").HasColumnType("jsonb");
            message.Property(m => m.CreatedAt).HasColumnName("created_at");
            message.HasIndex(m => m.CreatedAt);
        });
    }
}
