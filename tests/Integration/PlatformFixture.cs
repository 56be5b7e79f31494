using System.ClientModel;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AppHost.Hosting;
using Microsoft.Extensions.Options;
using OpenAI;
using Platform.Tenancy;
using Platform.Testing;
using Platform.Testing.Mocks;

[assembly: AssemblyFixture(typeof(Integration.PlatformFixture))]

namespace Integration;

/// <summary>The whole platform, started once for every test in this assembly.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public DistributedApp App { get; private set; } = null!;

    public MockOpenAiServer MockOpenAi { get; private set; } = null!;

    public MockAnthropicServer MockAnthropic { get; private set; } = null!;

    public MockOllamaServer MockOllama { get; private set; } = null!;

    public DistributedApplication Application => App.Application;

    public InternalTokenIssuer Tokens { get; private set; } = null!;

    public string AdminKey => Application.GetParameterValue("admin-key");

    public string DemoKey => Application.GetParameterValue("demo-key");

    /// <summary>The official OpenAI SDK, pointed at the Gateway with a tenant key.</summary>
    public OpenAIClient CreateOpenAiClient(string apiKey, int gatewayReplica = 0, bool retries = true)
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(Application.GetEndpoints("gateway")[gatewayReplica], "v1") };
        if (!retries)
        {
            options.RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries: 0);
        }
        return new(new ApiKeyCredential(apiKey), options);
    }

    public async ValueTask InitializeAsync()
    {
        MockOpenAi = await MockOpenAiServer.StartAsync();
        // Provider settings given to the AppHost's environment must reach the services.
        Environment.SetEnvironmentVariable("Providers__mock__Kind", "openai");
        Environment.SetEnvironmentVariable("Providers__mock__BaseUrl", MockOpenAi.BaseUrl.ToString());
        Environment.SetEnvironmentVariable("Providers__mock__ApiKey", "sk-mock");
        Environment.SetEnvironmentVariable("Providers__mock__Models__0__Id", "mock-1");
        Environment.SetEnvironmentVariable("Providers__mock__Models__0__InputPricePerMillion", "1");
        Environment.SetEnvironmentVariable("Providers__mock__Models__0__OutputPricePerMillion", "2");
        Environment.SetEnvironmentVariable("Providers__mock__Models__1__Id", "mock-embed");
        Environment.SetEnvironmentVariable("Providers__mock__Models__1__Type", "embedding");
        // Models the routing tests script one by one (failing, slow, weak), so no test disturbs another.
        // Failures open circuits, so every scripted failure has a model of its own.
        string[] routed =
        [
            "mock-2", "mock-breaker", "mock-backup", "mock-fast", "mock-slow", "mock-weak", "mock-strong", "mock-stream-primary", "mock-bandit-a", "mock-bandit-b",
            "mock-err-500", "mock-err-401", "mock-err-429", "mock-err-stream", "mock-canary-a", "mock-canary-b", "mock-canary-dear",
            "mock-busy",
        ];
        for (var i = 0; i < routed.Length; i++)
        {
            Environment.SetEnvironmentVariable($"Providers__mock__Models__{i + 2}__Id", routed[i]);
        }
        // Priced embedding models: one whose vectors follow the words (the second platform's Ingestion embeds with it),
        // and one that knows synonyms (its semantic cache embeds with it).
        Environment.SetEnvironmentVariable($"Providers__mock__Models__{routed.Length + 2}__Id", MockOpenAiServer.WordsEmbeddingModel);
        Environment.SetEnvironmentVariable($"Providers__mock__Models__{routed.Length + 2}__Type", "embedding");
        Environment.SetEnvironmentVariable($"Providers__mock__Models__{routed.Length + 2}__InputPricePerMillion", "0.1");
        Environment.SetEnvironmentVariable($"Providers__mock__Models__{routed.Length + 3}__Id", MockOpenAiServer.MeaningEmbeddingModel);
        Environment.SetEnvironmentVariable($"Providers__mock__Models__{routed.Length + 3}__Type", "embedding");
        Environment.SetEnvironmentVariable($"Providers__mock__Models__{routed.Length + 3}__InputPricePerMillion", "0.5");
        // A cheap, weak model and a dear, strong one, for routing by cost and quality.
        Environment.SetEnvironmentVariable("Providers__mock__Models__7__Tier", "economy");
        Environment.SetEnvironmentVariable("Providers__mock__Models__7__InputPricePerMillion", "0.1");
        Environment.SetEnvironmentVariable("Providers__mock__Models__7__OutputPricePerMillion", "0.2");
        Environment.SetEnvironmentVariable("Providers__mock__Models__8__Tier", "premium");
        Environment.SetEnvironmentVariable("Providers__mock__Models__8__InputPricePerMillion", "5");
        Environment.SetEnvironmentVariable("Providers__mock__Models__8__OutputPricePerMillion", "15");
        Environment.SetEnvironmentVariable("Providers__mock__Models__8__Capabilities__0", "tools");
        Environment.SetEnvironmentVariable("Providers__mock__Models__8__Capabilities__1", "json");
        // Canaries judged on the policies' costs: a plain model and a dear one.
        Environment.SetEnvironmentVariable("Providers__mock__Models__16__InputPricePerMillion", "1");
        Environment.SetEnvironmentVariable("Providers__mock__Models__16__OutputPricePerMillion", "2");
        Environment.SetEnvironmentVariable("Providers__mock__Models__18__InputPricePerMillion", "20");
        Environment.SetEnvironmentVariable("Providers__mock__Models__18__OutputPricePerMillion", "60");
        Environment.SetEnvironmentVariable("Routing__CanaryMinimumOutcomes", "6");
        Environment.SetEnvironmentVariable("Routing__CanaryPromoteAfter", "12");
        // Overloaded from an average of 16 routes in flight: far above any other test's bursts of quick requests.
        Environment.SetEnvironmentVariable("Routing__OverloadConcurrency", "16");
        // A free tier: the same mock as another provider account, free, with a quota of five requests a day.
        Environment.SetEnvironmentVariable("Providers__mockfree__Kind", "openai");
        Environment.SetEnvironmentVariable("Providers__mockfree__BaseUrl", MockOpenAi.BaseUrl.ToString());
        Environment.SetEnvironmentVariable("Providers__mockfree__ApiKey", "sk-mock");
        Environment.SetEnvironmentVariable("Providers__mockfree__Models__0__Id", "free-chat");
        Environment.SetEnvironmentVariable("Providers__mockfree__Models__0__Tier", "economy");
        Environment.SetEnvironmentVariable("Providers__mockfree__Quota__Requests", "5");
        // Circuits that open and recover within a test's patience.
        Environment.SetEnvironmentVariable("Resilience__BreakDuration", "00:00:02");
        Environment.SetEnvironmentVariable("Resilience__ProbeInterval", "00:00:00.500");
        Environment.SetEnvironmentVariable("Resilience__RetryDelay", "00:00:00.010");

        MockAnthropic = await MockAnthropicServer.StartAsync();
        Environment.SetEnvironmentVariable("Providers__claude__Kind", "anthropic");
        Environment.SetEnvironmentVariable("Providers__claude__BaseUrl", MockAnthropic.Root);
        Environment.SetEnvironmentVariable("Providers__claude__ApiKey", "sk-ant-mock");
        Environment.SetEnvironmentVariable("Providers__claude__Models__0__Id", "claude-mock");

        MockOllama = await MockOllamaServer.StartAsync();
        Environment.SetEnvironmentVariable("Providers__llama__Kind", "ollama");
        Environment.SetEnvironmentVariable("Providers__llama__BaseUrl", MockOllama.Root);
        Environment.SetEnvironmentVariable("Providers__llama__Models__0__Id", "llama-mock");
        Environment.SetEnvironmentVariable("Providers__llama__Models__1__Id", "llama-embed");
        Environment.SetEnvironmentVariable("Providers__llama__Models__1__Type", "embedding");

        // Analytics within a test's patience: the cache gauge read every second, and what a stopped consumer had
        // pulled but not acked delivered again after 5 s.
        Environment.SetEnvironmentVariable("Analytics__CacheHitRateRefresh", "00:00:01");
        Environment.SetEnvironmentVariable("Messaging__Consumers__analytics-usage__AckWait", "00:00:05");
        // The semantic cache is off by default (see CacheOptions); the platform under test runs with it, so every test
        // meets it.
        Environment.SetEnvironmentVariable("Cache__SemanticEnabled", "true");
        // The tests' webhook receivers listen on 127.0.0.1; webhooks reach no other private address.
        Environment.SetEnvironmentVariable("Billing__WebhookAllowedNetworks__0", "127.0.0.1/32");
        // A document job cut off by a stopped Ingestion comes back within seconds, not the default two minutes.
        Environment.SetEnvironmentVariable("Messaging__Consumers__ingestion-documents__AckWait", "00:00:05");

        // Two Gateways, so tests can show that limits and revocations hold across instances.
        App = await DistributedApp.StartAsync(["--Resources:gateway:Replicas=2"]);
        Tokens = new InternalTokenIssuer(
            Options.Create(new InternalTokenOptions { SigningKey = Application.GetParameterValue("internal-token-key") }),
            TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await MockOpenAi.DisposeAsync();
        await MockAnthropic.DisposeAsync();
        await MockOllama.DisposeAsync();
    }

    /// <summary>A client of an internal service carrying the Gateway's token for <paramref name="tenantId"/>.</summary>
    public HttpClient CreateTenantClient(string resourceName, Guid tenantId) =>
        WithBearer(App.CreateHttpClient(resourceName), Tokens.IssueForTenant(tenantId));

    public HttpClient CreateOperatorClient(string resourceName) =>
        WithBearer(App.CreateHttpClient(resourceName), Tokens.IssueForOperator());

    public HttpClient CreateAdminClient() => WithBearer(App.CreateHttpClient("gateway"), AdminKey);

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
