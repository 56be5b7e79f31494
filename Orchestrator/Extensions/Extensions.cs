using Orchestrator.Services;
using StackExchange.Redis;

namespace Orchestrator.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.AddModelCatalog();

        // While Redis is away, commands fail at once (a 503, a prompt /health) rather than wait 5 s in a queue.
        builder.AddRedisClient("redis", configureOptions: redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();

        builder.Services.AddSingleton<TokenCounter>();
        builder.Services.AddSingleton<LocalChatClient>();
        builder.AddLocalEmbeddings(warmUp: false);
        builder.Services.AddSingleton<ProviderClients>();
        builder.Services.AddOptions<ResilienceOptions>().BindConfiguration("Resilience");
        builder.Services.AddSingleton<ProviderResilience>();
        builder.Services.AddSingleton<RouteExecutor>();
        builder.Services.AddHostedService<ProviderProber>();
        builder.AddEventBus();
        builder.Services.AddSingleton<RouteOutcomes>();
        builder.Services.AddSingleton<ProviderQuotas>();
        builder.Services.AddSingleton<ExecutionLoad>();
        builder.Services.AddHostedService<ExecutionLoadReporter>();
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(ProviderClients.TelemetrySourceName))
            .WithMetrics(metrics => metrics.AddMeter(ProviderClients.TelemetrySourceName));
    }
}
