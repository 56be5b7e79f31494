using System.ClientModel;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics;
using Billing;
using Microsoft.Extensions.Options;
using OpenAI;
using Orchestrator;
using Platform.Catalog;
using Platform.Messaging;
using Platform.Tenancy;
using Platform.Vectors;
using Platform.Testing.Mocks;
using Realtime;
using Router;
using Xunit;


namespace Platform.Testing;

/// <summary>The whole platform, started once for every test in this assembly.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public TestPlatform App { get; private set; } = null!;

    public MockOpenAiServer MockOpenAi { get; private set; } = null!;

    public MockAnthropicServer MockAnthropic { get; private set; } = null!;

    public MockOllamaServer MockOllama { get; private set; } = null!;

    public InternalTokenIssuer Tokens { get; private set; } = null!;

    public string AdminKey { get; private set; } = null!;

    public string DemoKey { get; private set; } = null!;

    /// <summary>The official OpenAI SDK, pointed at the Gateway with a tenant key.</summary>
    public OpenAIClient CreateOpenAiClient(string apiKey, int gatewayReplica = 0, bool retries = true)
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(App.GetReplicaEndpoints("gateway")[gatewayReplica], "v1") };
        if (!retries)
        {
            options.RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries: 0);
        }
        return new(new ApiKeyCredential(apiKey), options);
    }

    public async ValueTask InitializeAsync()
    {
        MockOpenAi = await MockOpenAiServer.StartAsync();
        MockAnthropic = await MockAnthropicServer.StartAsync();
        MockOllama = await MockOllamaServer.StartAsync();
        // Two Gateways, so tests can show that limits and revocations hold across instances; two Realtimes, that a
        // session resumes on either.
        App = await TestPlatform.StartAsync(Settings(MockOpenAi, MockAnthropic, MockOllama).WithReplicas("gateway", 2).WithReplicas("realtime", 2));
        AdminKey = await App.GetParameterValueAsync("admin-key");
        DemoKey = await App.GetParameterValueAsync("demo-key");
        Tokens = new InternalTokenIssuer(
            Options.Create(new InternalTokenOptions { SigningKey = await App.GetParameterValueAsync("internal-token-key") }),
            TimeProvider.System);
    }

    /// <summary>
    /// The mock providers and every service's settings: circuits, canaries and consumers that act within a test's
    /// patience, and the semantic cache on (off by default).
    /// </summary>
    public static PlatformSettings Settings(MockOpenAiServer openAi, MockAnthropicServer anthropic, MockOllamaServer ollama)
    {
        var settings = new PlatformSettings();
        settings.Providers["mock"] = new ProviderOptions
        {
            Kind = ProviderKinds.OpenAi,
            BaseUrl = openAi.BaseUrl,
            ApiKey = "sk-mock",
            Models =
            [
                new() { Id = "mock-1", InputPricePerMillion = 1, OutputPricePerMillion = 2 },
                new() { Id = "mock-embed", Type = ModelTypes.Embedding },
                // Models the routing tests script one by one (failing, slow, weak), so no test disturbs another.
                // Failures open circuits, so every scripted failure has a model of its own.
                new() { Id = "mock-2" },
                new() { Id = "mock-breaker" },
                new() { Id = "mock-backup" },
                new() { Id = "mock-fast" },
                new() { Id = "mock-slow" },
                // A cheap, weak model and a dear, strong one, for routing by cost and quality.
                new() { Id = "mock-weak", Tier = ModelTiers.Economy, InputPricePerMillion = 0.1m, OutputPricePerMillion = 0.2m },
                new()
                {
                    Id = "mock-strong", Tier = ModelTiers.Premium, InputPricePerMillion = 5, OutputPricePerMillion = 15,
                    Capabilities = [ModelCapabilities.Tools, ModelCapabilities.Json],
                },
                new() { Id = "mock-stream-primary" },
                new() { Id = "mock-bandit-a" },
                new() { Id = "mock-bandit-b" },
                new() { Id = "mock-err-500" },
                new() { Id = "mock-err-401" },
                new() { Id = "mock-err-429" },
                new() { Id = "mock-err-stream" },
                // Canaries judged on the policies' costs: a plain model and a dear one.
                new() { Id = "mock-canary-a", InputPricePerMillion = 1, OutputPricePerMillion = 2 },
                new() { Id = "mock-canary-b" },
                new() { Id = "mock-canary-dear", InputPricePerMillion = 20, OutputPricePerMillion = 60 },
                new() { Id = "mock-busy" },
                // Realtime's: a steady stream, a slow one, and a flood for a client that stops reading.
                new() { Id = "mock-ws", InputPricePerMillion = 1, OutputPricePerMillion = 2 },
                new() { Id = "mock-ws-slow", InputPricePerMillion = 1, OutputPricePerMillion = 2 },
                new() { Id = "mock-flood" },
                // Priced embedding models: one whose vectors follow the words (the second platform's Ingestion embeds with
                // it), and one that knows synonyms (its semantic cache embeds with it).
                new() { Id = MockOpenAiServer.WordsEmbeddingModel, Type = ModelTypes.Embedding, InputPricePerMillion = 0.1m },
                new() { Id = MockOpenAiServer.MeaningEmbeddingModel, Type = ModelTypes.Embedding, InputPricePerMillion = 0.5m },
            ],
        };
        // A free tier: the same mock as another provider account, free, with a quota of five requests a day.
        settings.Providers["mockfree"] = new ProviderOptions
        {
            Kind = ProviderKinds.OpenAi,
            BaseUrl = openAi.BaseUrl,
            ApiKey = "sk-mock",
            Models = [new() { Id = "free-chat", Tier = ModelTiers.Economy }],
            Quota = new ProviderQuotaOptions { Requests = 5 },
        };
        settings.Providers["claude"] = new ProviderOptions
        {
            Kind = ProviderKinds.Anthropic,
            BaseUrl = new Uri(anthropic.Root),
            ApiKey = "sk-ant-mock",
            Models = [new() { Id = "claude-mock" }],
        };
        settings.Providers["llama"] = new ProviderOptions
        {
            Kind = ProviderKinds.Ollama,
            BaseUrl = new Uri(ollama.Root),
            Models = [new() { Id = "llama-mock" }, new() { Id = "llama-embed", Type = ModelTypes.Embedding }],
        };

        return settings
            .Configure<RoutingOptions>("Routing", routing =>
            {
                routing.CanaryMinimumOutcomes = 6;
                routing.CanaryPromoteAfter = 12;
                // Overloaded from an average of 16 routes in flight: far above any other test's bursts of quick requests.
                routing.OverloadConcurrency = 16;
            })
            // Circuits that open and recover within a test's patience.
            .Configure<ResilienceOptions>("Resilience", resilience =>
            {
                resilience.BreakDuration = TimeSpan.FromSeconds(2);
                resilience.ProbeInterval = TimeSpan.FromMilliseconds(500);
                resilience.RetryDelay = TimeSpan.FromMilliseconds(10);
            })
            // The cache gauge read every second.
            .Configure<AnalyticsOptions>("Analytics", analytics => analytics.CacheHitRateRefresh = TimeSpan.FromSeconds(1))
            // What a stopped consumer had pulled but not acked delivered again after 5 s; a document job cut off by a
            // stopped Ingestion comes back within seconds, not the default two minutes.
            .Configure<EventConsumerOptions>("Messaging:Consumers:analytics-usage", consumer => consumer.AckWait = TimeSpan.FromSeconds(5))
            .Configure<EventConsumerOptions>("Messaging:Consumers:ingestion-documents", consumer => consumer.AckWait = TimeSpan.FromSeconds(5))
            // An agent run cut off by a stopped Orchestrator resumes within seconds.
            .Configure<EventConsumerOptions>("Messaging:Consumers:orchestrator-agent-runs", consumer => consumer.AckWait = TimeSpan.FromSeconds(5))
            .Configure<AgentOptions>("Agents", agents =>
            {
                // The tests' MCP servers listen on 127.0.0.1.
                agents.AllowedPrivateNetworks = ["127.0.0.1/32"];
                // The operator's MCP server (tests/OperatorMcpServer, built beside the tests), for every tenant, and
                // the same program for a tenant no test has.
                agents.StdioServers[OperatorServer] = OperatorServerOptions([]);
                agents.StdioServers[OtherTenantsOperatorServer] = OperatorServerOptions([Guid.NewGuid()]);
            })
            // A dropped socket's answer runs on for a test's patience, not half a minute.
            .Configure<RealtimeOptions>(RealtimeOptions.Section, realtime => realtime.GraceTime = TimeSpan.FromSeconds(5))
            // The local model loaded when a test first embeds, not at every service's start.
            .Configure<LocalEmbeddingOptions>(LocalEmbeddingOptions.Section, embeddings => embeddings.WarmUp = false)
            // The tests' webhook receivers listen on 127.0.0.1; webhooks reach no other private address.
            .Configure<BillingOptions>("Billing", billing => billing.WebhookAllowedNetworks = ["127.0.0.1/32"]);
    }

    /// <summary>The operator's MCP server every tenant may use (its tools: stock, caller, exit).</summary>
    public const string OperatorServer = "inventory";

    /// <summary>An operator's MCP server for one other tenant only.</summary>
    public const string OtherTenantsOperatorServer = "warehouse";

    private static StdioServerOptions OperatorServerOptions(List<Guid> tenants) => new()
    {
        Command = "dotnet",
        Arguments = [Path.Combine(AppContext.BaseDirectory, "OperatorMcpServer.dll")],
        Environment = { ["INVENTORY_REGION"] = "eu-west" },
        TimeoutSeconds = 20,
        Tenants = tenants,
    };

    public async ValueTask DisposeAsync()
    {
        // Null when the platform failed to start: that failure is the one to report, not a second one here.
        if (App is { } app)
        {
            await app.DisposeAsync();
        }
        await MockOpenAi.DisposeAsync();
        await MockAnthropic.DisposeAsync();
        await MockOllama.DisposeAsync();
    }

    /// <summary>A client of an internal service carrying the Gateway's token for <paramref name="tenantId"/>.</summary>
    public HttpClient CreateTenantClient(string resourceName, Guid tenantId) =>
        WithBearer(App.CreateHttpClient(resourceName), Tokens.IssueForTenant(tenantId));

    /// <summary>A client of the Gateway (through its load balancer) with a tenant's key.</summary>
    public HttpClient CreateGatewayClient(string key) => WithBearer(App.CreateHttpClient("gateway"), key);

    public HttpClient CreateOperatorClient(string resourceName) =>
        WithBearer(App.CreateHttpClient(resourceName), Tokens.IssueForOperator());

    /// <summary>
    /// An operator client of the Gateway: through its load balancer, or of one replica when a test needs what that
    /// replica did (a revocation takes effect at once where it was made, and moments later at the others).
    /// </summary>
    public HttpClient CreateAdminClient(int? gatewayReplica = null) => WithBearer(
        gatewayReplica is { } replica ? new HttpClient { BaseAddress = App.GetReplicaEndpoints("gateway")[replica] } : App.CreateHttpClient("gateway"),
        AdminKey);

    /// <summary>A tenant (on <paramref name="plan"/>) and a key made with <paramref name="keyRequest"/>, through the admin API.</summary>
    public async Task<(Guid TenantId, string Key)> CreateTenantWithKeyAsync(object keyRequest, string plan = "pro")
    {
        using var admin = CreateAdminClient();
        var tenant = await (await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name = $"t-{Guid.NewGuid():N}"[..24], plan }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var tenantId = tenant.GetProperty("id").GetGuid();
        var created = await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/keys", keyRequest);
        created.EnsureSuccessStatusCode();
        return (tenantId, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!);
    }

    private static HttpClient WithBearer(HttpClient http, string token)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
