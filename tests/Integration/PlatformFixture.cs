using System.ClientModel;
using System.Net.Http.Headers;
using AppHost.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenAI;

[assembly: AssemblyFixture(typeof(Integration.PlatformFixture))]

namespace Integration;

/// <summary>The whole platform, started once for every test in this assembly.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public DistributedApp App { get; private set; } = null!;

    public DistributedApplication Application => App.Application;

    public InternalTokenIssuer Tokens { get; private set; } = null!;

    public string AdminKey => Application.GetParameterValue("admin-key");

    public string DemoKey => Application.GetParameterValue("demo-key");

    /// <summary>The official OpenAI SDK, pointed at the Gateway with a tenant key.</summary>
    public OpenAIClient CreateOpenAiClient(string apiKey, string resourceName = "gateway") =>
        new(new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = new Uri(Application.GetEndpoint(resourceName), "v1") });

    public async ValueTask InitializeAsync()
    {
        // Provider settings given to the AppHost's environment must reach the services.
        Environment.SetEnvironmentVariable("Providers__mock__Kind", "openai");
        Environment.SetEnvironmentVariable("Providers__mock__BaseUrl", "http://127.0.0.1:18080/v1");
        Environment.SetEnvironmentVariable("Providers__mock__ApiKey", "sk-mock");
        Environment.SetEnvironmentVariable("Providers__mock__Models__0__Id", "mock-1");

        App = await DistributedApp.StartAsync();
        Tokens = new InternalTokenIssuer(
            Options.Create(new InternalTokenOptions { SigningKey = Application.GetParameterValue("internal-token-key") }),
            TimeProvider.System);
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    /// <summary>A client of an internal service carrying the Gateway's token for <paramref name="tenantId"/>.</summary>
    public HttpClient CreateTenantClient(string resourceName, Guid tenantId) =>
        WithBearer(App.CreateHttpClient(resourceName), Tokens.IssueForTenant(tenantId));

    public HttpClient CreateOperatorClient(string resourceName) =>
        WithBearer(App.CreateHttpClient(resourceName), Tokens.IssueForOperator());

    public HttpClient CreateAdminClient() => WithBearer(App.CreateHttpClient("gateway"), AdminKey);

    private static HttpClient WithBearer(HttpClient http, string token)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
