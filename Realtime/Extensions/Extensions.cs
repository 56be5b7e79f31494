using Realtime.Services;

namespace Realtime.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("redis");
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
        builder.Services.AddSingleton<SessionRegistry>();
    }
}
