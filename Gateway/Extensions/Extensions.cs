using System.Text;
using Gateway.Infrastructure;
using Gateway.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Net.Http.Headers;
using StackExchange.Redis;

namespace Gateway.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<GatewayOptions>().BindConfiguration("Gateway");
        // Kestrel answers a header that is not ASCII with a bare 400; a key with such characters is read as Latin-1
        // instead, so it meets the same OpenAI 401 as any other wrong key.
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.RequestHeaderEncodingSelector =
            header => header.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase) ? Encoding.Latin1 : null);

        builder.AddTenantDbContext<GatewayDbContext>("gatewaydb");
        builder.AddMigrations<GatewayDbContext>("gatewaydb");
        // While Redis is away, commands fail at once (a 503, a prompt /health) rather than wait 5 s in a queue.
        builder.AddRedisClient("redis", configureOptions: redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddNatsClient("nats");
        builder.AddEventBus();
        builder.AddInternalTokenIssuer();
        builder.AddModelCatalog();

        builder.Services.AddHostedService<DemoTenantSeeder>();
        builder.Services.AddMemoryCache(cache => cache.SizeLimit = 100_000);
        builder.Services.AddSingleton<TenantKeyStore>();
        builder.Services.AddScoped<TenantKeyInvalidator>();
        builder.Services.AddHostedService<KeyInvalidationListener>();
        builder.Services.AddHostedService<KeyLookupWarmup>();
        builder.Services.AddSingleton<IPasswordHasher<TenantUser>, PasswordHasher<TenantUser>>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddGatewayAuthentication();

        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimits");
        builder.Services.AddOptions<CacheOptions>().BindConfiguration("Cache");
        builder.Services.AddSingleton<ExactCache>();
        builder.AddLocalEmbeddings(warmUp: true, threads: 1);
        builder.Services.AddSingleton<QuestionVerifier>();
        builder.Services.AddSingleton<SemanticCache>();
        builder.Services.AddSingleton<TenantCache>();
        builder.Services.AddSingleton<RateLimiter>();
        builder.Services.AddSingleton<BudgetGuard>();

        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddSingleton<UsageRecordingFilter>();
        builder.Services.AddSingleton<RecentErrors>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxDispatcher>());

        builder.Services.AddInternalServiceClients();
        builder.AddPlatformProxy();

        builder.Services.AddChatPipeline();
        // Stateless: either replica answers any request. Tools are listed per request, and run in its execution context,
        // so the internal services are called as its key (InternalTokenHandler reads it from the HttpContext).
        builder.Services.AddMcpServer(mcp => mcp.ServerInfo = new() { Name = "ai-platform", Version = "1.0" })
            .WithHttpTransport(http => http.Stateless = true)
            .WithTools([typeof(KnowledgeSearchTool)])
            .WithListToolsHandler(AgentTools.ListAsync)
            .WithCallToolHandler(AgentTools.CallAsync);
        // A probe answers within its own 2 s or says the service is unreachable: retries would only blur that.
#pragma warning disable EXTEXP0001 // The library's way to opt one client out of the defaults' resilience handler.
        builder.Services.AddHttpClient<PlatformHealthProbe>().RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
