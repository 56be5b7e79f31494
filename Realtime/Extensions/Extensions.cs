using Realtime.Sessions;
using StackExchange.Redis;

namespace Realtime.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section);

        // While Redis is away, commands fail at once (an error event, a prompt /health) rather than wait 5 s in a queue.
        builder.AddRedisClient("redis", configureOptions: redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
        // Model calls go through the Gateway's /v1 as the session's key.
        builder.AddInternalTokenIssuer();

        builder.Services.AddSingleton<RealtimeMetrics>();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<SessionHub>();
        builder.Services.AddSingleton<Generations>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConnectionRegistry>());

        // A generation streams for as long as it runs, bounded by MaxGenerationTime: no standard timeouts or retries
        // (the Gateway retries providers).
#pragma warning disable EXTEXP0001 // The library's way to opt one client out of the defaults' resilience handler.
        builder.Services.AddHttpClient(Generations.HttpClientName, client =>
        {
            client.BaseAddress = new Uri("https+http://gateway");
            client.Timeout = Timeout.InfiniteTimeSpan;
        }).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
