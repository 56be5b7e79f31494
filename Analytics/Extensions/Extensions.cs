using Analytics.Infrastructure;
using Analytics.IntegrationEvents;

namespace Analytics.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<AnalyticsDbContext>("analyticsdb");
        builder.AddMigrations<AnalyticsDbContext>("analyticsdb");
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();

        builder.AddEventConsumer<PlatformPingIntegrationEvent, PlatformPingHandler>(consumer =>
        {
            consumer.Durable = "analytics-platform-ping";
            consumer.Stream = EventStreams.Control;
            consumer.FilterSubject = PlatformPingIntegrationEvent.Subject;
        });
    }
}
