using Billing.Infrastructure;

namespace Billing.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<BillingDbContext>("billingdb");
        builder.AddMigrations<BillingDbContext>("billingdb");
        builder.AddRedisClient("redis");
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
    }
}
