using Microsoft.Extensions.Options;
using Orchestrator.Agents;
using Orchestrator.Infrastructure;
using Orchestrator.IntegrationEvents;
using Orchestrator.Services;
using Platform.Networking;
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
        builder.AddAgents();
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(ProviderClients.TelemetrySourceName))
            .WithMetrics(metrics => metrics.AddMeter(ProviderClients.TelemetrySourceName));
    }

    /// <summary>Agents: their registry and runs in PostgreSQL, run jobs on JetStream, model calls through the Gateway, tools built in and on MCP servers.</summary>
    private static void AddAgents(this IHostApplicationBuilder builder)
    {
        builder.AddTenantDbContext<OrchestratorDbContext>("orchestratordb");
        builder.AddMigrations<OrchestratorDbContext>("orchestratordb");
        builder.Services.AddOptions<AgentOptions>().BindConfiguration("Agents");
        builder.AddInternalTokenIssuer();

        builder.Services.AddScoped<RunJournal>();
        builder.Services.AddScoped<AgentRunner>();
        builder.Services.AddScoped<RunToolsFactory>();
        builder.Services.AddScoped<AgentMemory>();
        builder.Services.AddSingleton<GatewayModels>();
        builder.Services.AddSingleton<BuiltInTools>();
        builder.Services.AddSingleton<HttpFetch>();
        builder.Services.AddSingleton<McpTools>();
        builder.Services.AddSingleton<OperatorMcpServers>();
        builder.Services.AddSingleton<ToolResilience>();
        builder.Services.AddSingleton(services => new PublicAddresses(services.GetRequiredService<IOptions<AgentOptions>>().Value.AllowedPrivateNetworks, "agents' tools"));

        // Model calls stream and a run's own time limit bounds them: no standard timeouts or retries (the Gateway retries providers).
#pragma warning disable EXTEXP0001 // The library's way to opt one client out of the defaults' resilience handler.
        builder.Services.AddHttpClient(GatewayModels.HttpClientName).RemoveAllResilienceHandlers();
        builder.Services.AddHttpClient("ingestion", client => client.BaseAddress = new Uri("https+http://ingestion"));
        // A tenant's server: only at allowed addresses, never redirected elsewhere; each call has its tool's timeout.
        builder.Services.AddHttpClient(McpTools.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(ToPublicAddressesOnly)
            .RemoveAllResilienceHandlers();
        // Pages for http_fetch: the same guard; redirects are followed by the tool, each checked against the allow-list.
        builder.Services.AddHttpClient(HttpFetch.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(20))
            .ConfigurePrimaryHttpMessageHandler(ToPublicAddressesOnly)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        static SocketsHttpHandler ToPublicAddressesOnly(IServiceProvider services) => new()
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            ConnectCallback = services.GetRequiredService<PublicAddresses>().ConnectAsync,
        };

        // Runs mostly wait on models and tools: several at once per replica, each pulled only when it can start.
        builder.AddEventConsumer<AgentRunRequestedIntegrationEvent, AgentRunJobHandler>(consumer =>
        {
            consumer.Durable = "orchestrator-agent-runs";
            consumer.Stream = EventStreams.Agents;
            consumer.FilterSubject = AgentRunRequestedIntegrationEvent.Subject;
            consumer.MaxAttempts = 3;
            consumer.AckWait = TimeSpan.FromSeconds(30);
            consumer.Concurrency = 16;
            consumer.Prefetch = 16;
        });
        builder.AddEventConsumer<DeadAgentRunIntegrationEvent, AgentRunFailedHandler>(consumer =>
        {
            consumer.Durable = "orchestrator-dead-agent-runs";
            consumer.Stream = EventStreams.DeadLetter;
            consumer.FilterSubject = EventStreams.DeadLetterSubject(AgentRunRequestedIntegrationEvent.Subject);
        });
    }
}
