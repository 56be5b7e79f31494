namespace Orchestrator.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddModelCatalog();

        builder.AddRedisClient("redis");
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
    }
}
