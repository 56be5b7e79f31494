using Realtime.Services;
using StackExchange.Redis;

namespace Realtime.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);

        // While Redis is away, commands fail at once (a 503, a prompt /health) rather than wait 5 s in a queue.
        builder.AddRedisClient("redis", configureOptions: redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
        builder.Services.AddSingleton<SessionRegistry>();
    }
}
