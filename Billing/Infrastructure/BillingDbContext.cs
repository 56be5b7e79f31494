using Billing.Model;
using Microsoft.EntityFrameworkCore;

namespace Billing.Infrastructure;

public sealed class BillingDbContext(DbContextOptions<BillingDbContext> options) : DbContext(options)
{
    public DbSet<Plan> Plans => Set<Plan>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Plans belong to the platform, not to a tenant: no tenant policy.
        modelBuilder.Entity<Plan>(plan =>
        {
            plan.ToTable("plans");
            plan.Property(p => p.Id).HasColumnName("id").HasMaxLength(32);
            plan.Property(p => p.Name).HasColumnName("name").HasMaxLength(64);
            plan.Property(p => p.MonthlyFee).HasColumnName("monthly_fee").HasPrecision(18, 2);
            plan.Property(p => p.IncludedTokens).HasColumnName("included_tokens");
            plan.Property(p => p.OveragePricePerMillionTokens).HasColumnName("overage_price_per_million_tokens").HasPrecision(18, 6);
            plan.Property(p => p.RequestsPerMinute).HasColumnName("requests_per_minute");
            plan.Property(p => p.TokensPerMinute).HasColumnName("tokens_per_minute");
            plan.HasData(
                new Plan { Id = "free", Name = "Free", MonthlyFee = 0m, IncludedTokens = 1_000_000, OveragePricePerMillionTokens = null, RequestsPerMinute = 60, TokensPerMinute = 100_000 },
                new Plan { Id = "pro", Name = "Pro", MonthlyFee = 49m, IncludedTokens = 20_000_000, OveragePricePerMillionTokens = 2m, RequestsPerMinute = 600, TokensPerMinute = 2_000_000 },
                // High enough for load tests against the demo tenant.
                new Plan { Id = "enterprise", Name = "Enterprise", MonthlyFee = 499m, IncludedTokens = 1_000_000_000, OveragePricePerMillionTokens = 1m, RequestsPerMinute = 1_000_000, TokensPerMinute = 1_000_000_000 });
        });
    }
}
