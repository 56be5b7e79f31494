using System.Text.Json.Serialization;
using Billing.Infrastructure;
using Billing.IntegrationEvents;
using Billing.Services;
using StackExchange.Redis;

namespace Billing.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<BillingOptions>().BindConfiguration("Billing")
            .Validate(billing => billing.WebhookAllowedNetworks.All(network => System.Net.IPNetwork.TryParse(network, out _)), "Billing:WebhookAllowedNetworks holds networks in CIDR notation.")
            .ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);

        builder.AddTenantDbContext<BillingDbContext>("billingdb");
        builder.AddMigrations<BillingDbContext>("billingdb");
        // While Redis is away, commands fail at once (a 503, a prompt /health) rather than wait 5 s in a queue.
        builder.AddRedisClient("redis", configureOptions: redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();

        builder.Services.AddScoped<UsageMeter>();
        builder.Services.AddSingleton<BudgetEnforcer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BudgetEnforcer>());

        // Usage is metered in batches: one transaction for whatever has arrived, up to 4,000 events (larger batches: 20k → 30k events/s).
        builder.AddBatchEventConsumer<UsageIntegrationEvent, UsageMeteringHandler>(consumer =>
        {
            consumer.Durable = "billing-usage";
            consumer.Stream = EventStreams.Usage;
            consumer.FilterSubject = UsageIntegrationEvent.Subject;
            consumer.BatchSize = 4000;
            consumer.BatchLinger = TimeSpan.FromMilliseconds(50);
        });
        builder.AddEventConsumer<TenantPlanChangedIntegrationEvent, TenantPlanChangedHandler>(consumer =>
        {
            consumer.Durable = "billing-plans";
            consumer.Stream = EventStreams.Billing;
            consumer.FilterSubject = TenantPlanChangedIntegrationEvent.Subject;
        });
        // Webhook retries are JetStream's redeliveries with backoff (1 s doubling to 1 min, 8 attempts), so the
        // client itself does not retry.
        builder.AddEventConsumer<BudgetAlertIntegrationEvent, BudgetAlertWebhookHandler>(consumer =>
        {
            consumer.Durable = "billing-webhooks";
            consumer.Stream = EventStreams.Billing;
            consumer.FilterSubject = BudgetAlertIntegrationEvent.Subject;
            consumer.MaxAttempts = 8;
        });
#pragma warning disable EXTEXP0001 // The library's way to opt one client out of the defaults' resilience handler.
        builder.Services.AddSingleton(services => new PublicAddresses(
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BillingOptions>>().Value.WebhookAllowedNetworks, "webhooks"));
        builder.Services.AddHttpClient(BudgetAlertWebhookHandler.ClientName, (services, client) =>
            client.Timeout = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BillingOptions>>().Value.WebhookTimeout)
            // A redirect would be a way around the address check: a 3xx is a failed delivery.
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = services.GetRequiredService<PublicAddresses>().ConnectAsync,
            })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
