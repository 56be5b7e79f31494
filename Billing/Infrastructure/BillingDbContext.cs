using System.Text.RegularExpressions;
using Billing.Model;
using Microsoft.EntityFrameworkCore;

namespace Billing.Infrastructure;

public sealed partial class BillingDbContext(DbContextOptions<BillingDbContext> options) : DbContext(options)
{
    public DbSet<Plan> Plans => Set<Plan>();

    public DbSet<Subscription> Subscriptions => Set<Subscription>();

    public DbSet<Budget> Budgets => Set<Budget>();

    public DbSet<BudgetAlert> BudgetAlerts => Set<BudgetAlert>();

    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<MeteredEvent> MeteredEvents => Set<MeteredEvent>();

    public DbSet<UsageCounter> UsageCounters => Set<UsageCounter>();

    public DbSet<BilledTenant> BilledTenants => Set<BilledTenant>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Public plans belong to the platform; a custom plan (tenant_id set) is visible to its tenant only (see the migration).
        modelBuilder.Entity<Plan>(plan =>
        {
            plan.ToTable("plans");
            plan.Property(p => p.Id).HasMaxLength(64);
            plan.Property(p => p.Name).HasMaxLength(64);
            plan.Property(p => p.MonthlyFee).HasPrecision(18, 2);
            plan.Property(p => p.IncludedUsage).HasPrecision(18, 6);
            plan.Property(p => p.SoftLimit).HasPrecision(18, 6);
            plan.Property(p => p.HardLimit).HasPrecision(18, 6);
            plan.HasData(
                new Plan { Id = "free", Name = "Free", MonthlyFee = 0m, IncludedUsage = 1m, AllowsOverage = false, RequestsPerMinute = 60, TokensPerMinute = 100_000 },
                new Plan { Id = "pro", Name = "Pro", MonthlyFee = 49m, IncludedUsage = 20m, AllowsOverage = true, RequestsPerMinute = 600, TokensPerMinute = 2_000_000 },
                new Plan { Id = "enterprise", Name = "Enterprise", MonthlyFee = 499m, IncludedUsage = 500m, AllowsOverage = true, HardLimitStatus = 402, RequestsPerMinute = 1_000_000, TokensPerMinute = 1_000_000_000 });
        });

        modelBuilder.Entity<Subscription>(subscription =>
        {
            subscription.ToTable("subscriptions");
            subscription.Property(s => s.PlanId).HasMaxLength(64);
            subscription.HasIndex(s => new { s.TenantId, s.StartsAt });
        });

        modelBuilder.Entity<Budget>(budget =>
        {
            budget.ToTable("budgets");
            budget.Property(b => b.Period).HasMaxLength(8);
            budget.Property(b => b.Limit).HasPrecision(18, 6);
            budget.HasIndex(b => new { b.TenantId, b.KeyId, b.Period }).IsUnique().AreNullsDistinct(false);
        });

        modelBuilder.Entity<BudgetAlert>(alert =>
        {
            alert.ToTable("budget_alerts");
            alert.Property(a => a.Period).HasMaxLength(8);
            alert.Property(a => a.Limit).HasPrecision(18, 6);
            alert.Property(a => a.Spent).HasPrecision(28, 12);
            // Exactly one alert per budget, period and threshold, however often the spend is evaluated.
            alert.HasIndex(a => new { a.BudgetId, a.PeriodStart, a.Threshold }).IsUnique();
            alert.HasIndex(a => new { a.TenantId, a.CreatedAt });
        });

        modelBuilder.Entity<Webhook>(webhook =>
        {
            webhook.ToTable("webhooks");
            webhook.HasKey(w => w.TenantId);
            webhook.Property(w => w.Url).HasMaxLength(2048);
            webhook.Property(w => w.Secret).HasMaxLength(128);
        });

        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.HasKey(d => d.AlertId);
            delivery.Property(d => d.Url).HasMaxLength(2048);
            delivery.Property(d => d.LastError).HasMaxLength(1024);
        });

        modelBuilder.Entity<MeteredEvent>(metered =>
        {
            metered.ToTable("metered_events");
            metered.Property(e => e.Model).HasMaxLength(256);
            metered.Property(e => e.Cost).HasPrecision(28, 12);
            metered.Property(e => e.InputPricePerMillion).HasPrecision(18, 6);
            metered.Property(e => e.OutputPricePerMillion).HasPrecision(18, 6);
            metered.HasIndex(e => new { e.TenantId, e.OccurredAt });
        });

        modelBuilder.Entity<UsageCounter>(counter =>
        {
            counter.ToTable("usage_counters");
            counter.HasKey(c => new { c.TenantId, c.Period, c.PeriodStart, c.KeyId, c.Model });
            counter.Property(c => c.Period).HasMaxLength(8);
            counter.Property(c => c.Model).HasMaxLength(256);
            counter.Property(c => c.Cost).HasPrecision(28, 12);
        });

        modelBuilder.Entity<BilledTenant>(tenant =>
        {
            tenant.ToTable("billed_tenants");
            tenant.HasKey(t => t.TenantId);
        });

        // snake_case columns, as the SQL in UsageMeter and anyone at a psql prompt expect.
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            property.SetColumnName(SnakeCaseBoundary().Replace(property.Name, "$1_$2").ToLowerInvariant());
        }
    }

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex SnakeCaseBoundary();
}
