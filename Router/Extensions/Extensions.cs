using Platform.Vectors;
using Router.Infrastructure;
using Router.IntegrationEvents;
using Router.Services;
using StackExchange.Redis;

namespace Router.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.AddTenantDbContext<RouterDbContext>("routerdb");
        builder.AddMigrations<RouterDbContext>("routerdb");
        // While Redis is away, commands fail at once (a 503, a prompt /health) rather than wait 5 s in a queue.
        builder.AddRedisClient("redis", configureOptions: redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
        builder.AddInternalTokenIssuer();
        builder.AddModelCatalog();
        builder.AddEventBus();

        builder.Services.AddOptions<RoutingOptions>().BindConfiguration("Routing");
        builder.Services.AddMemoryCache();
        builder.AddLocalEmbeddings(warmUp: true, threads: 1);
        builder.Services.AddSingleton<IntentClassifier>();
        builder.Services.AddHostedService<IntentExamplesWarmup>();
        builder.Services.AddSingleton<LearnedStats>();
        builder.Services.AddSingleton<LearnedStatsStore>();
        builder.Services.AddSingleton<ProviderQuotas>();
        builder.Services.AddSingleton<QuotaShares>();
        builder.Services.AddSingleton<OrchestratorLoad>();
        builder.Services.AddSingleton<RoutingEngine>();
        builder.Services.AddSingleton<DecisionLog>();
        builder.Services.AddSingleton<RouterMetrics>();
        builder.Services.AddScoped<PolicyStore>();
        builder.Services.AddScoped<CanaryJudge>();
        builder.Services.AddSingleton<StatsRefresher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StatsRefresher>());
        builder.Services.AddHttpClient<OrchestratorClient>(client => client.BaseAddress = new Uri("https+http://orchestrator"));
        builder.AddEventConsumer<RouteOutcomeIntegrationEvent, RouteOutcomeHandler>(consumer =>
        {
            consumer.Durable = "router-route-outcomes";
            consumer.Stream = EventStreams.Usage;
            consumer.FilterSubject = RouteOutcomeIntegrationEvent.Subject;
        });
        builder.AddEventConsumer<AnswerReviewedIntegrationEvent, AnswerReviewedHandler>(consumer =>
        {
            consumer.Durable = "router-answer-reviews";
            consumer.Stream = EventStreams.Usage;
            consumer.FilterSubject = AnswerReviewedIntegrationEvent.Subject;
        });
    }
}
