using Analytics.Infrastructure;
using Analytics.IntegrationEvents;
using Analytics.Services;

namespace Analytics.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.AddTenantDbContext<AnalyticsDbContext>("analyticsdb");
        builder.AddMigrations<AnalyticsDbContext>("analyticsdb");
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();

        builder.Services.AddOptions<AnalyticsOptions>().BindConfiguration("Analytics");
        builder.Services.AddScoped<UsageQueries>();
        builder.Services.AddHostedService<CacheHitRateGauge>();
        builder.Services.AddHostedService<LedgerPruner>();

        builder.AddEventConsumer<PlatformPingIntegrationEvent, PlatformPingHandler>(consumer =>
        {
            consumer.Durable = "analytics-platform-ping";
            consumer.Stream = EventStreams.Control;
            consumer.FilterSubject = PlatformPingIntegrationEvent.Subject;
        });
        builder.AddBatchEventConsumer<UsageIntegrationEvent, UsageRollupHandler>(consumer =>
        {
            consumer.Durable = "analytics-usage";
            consumer.Stream = EventStreams.Usage;
            consumer.FilterSubject = UsageIntegrationEvent.Subject;
            consumer.BatchSize = 4000;
            consumer.BatchLinger = TimeSpan.FromMilliseconds(50);
        });
    }
}
