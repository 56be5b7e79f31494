using Router.Infrastructure;

namespace Router.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<RouterDbContext>("routerdb");
        builder.AddMigrations<RouterDbContext>("routerdb");
        builder.AddRedisClient("redis");
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
    }
}
