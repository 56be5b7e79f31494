using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing.Mocks;

namespace Knowledge.FunctionalTests;

[CollectionDefinition(Name)]
public sealed class ProviderEmbeddingsPlatform : ICollectionFixture<ProviderEmbeddingsPlatformFixture>
{
    public const string Name = "provider embeddings platform";
}

/// <summary>
/// A second platform that embeds with providers' models (the mock OpenAI server's, through the Orchestrator): its
/// Ingestion keeps vectors in Qdrant (the fake speaking Qdrant's gRPC API: no Qdrant server can be installed here),
/// and its Gateway's semantic cache compares questions by a model that knows synonyms. It is configured as a developer
/// configures the AppHost: the optional resources (qdrant, vllm) and one service's settings given to the AppHost itself.
/// </summary>
public sealed class ProviderEmbeddingsPlatformFixture(PlatformFixture platform) : IAsyncLifetime
{
    public FakeQdrantServer Qdrant { get; private set; } = null!;

    /// <summary>Stands in for a vLLM server: the AppHost probes its health.</summary>
    public FakeExternalService Vllm { get; private set; } = null!;

    public TestPlatform App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Qdrant = await FakeQdrantServer.StartAsync();
        Vllm = await FakeExternalService.StartAsync();
        // The same mock providers as the assembly's platform, so tests read what both asked of them.
        var settings = PlatformFixture.Settings(platform.MockOpenAi, platform.MockAnthropic, platform.MockOllama);
        settings.AppHostArguments.AddRange(
        [
            $"--ConnectionStrings:qdrant={Qdrant.ConnectionString}",
            $"--ExternalServices:vllm={Vllm.Url}",
            $"--Resources:ingestion:Environment:Ingestion__EmbeddingModel=mock/{MockOpenAiServer.WordsEmbeddingModel}",
        ]);
        // One service's setting from an environment variable, which reaches the AppHost's configuration as a path.
        Environment.SetEnvironmentVariable(GatewayEmbeddingModelVariable, $"mock/{MockOpenAiServer.MeaningEmbeddingModel}");
        try
        {
            App = await TestPlatform.StartAsync(settings);
        }
        finally
        {
            Environment.SetEnvironmentVariable(GatewayEmbeddingModelVariable, null);
        }
    }

    public const string GatewayEmbeddingModelVariable = "Resources__gateway__Environment__Cache__SemanticEmbeddingModel";

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Qdrant.DisposeAsync();
        await Vllm.DisposeAsync();
    }

    public async Task<(Guid TenantId, HttpClient Http)> CreateTenantAsync(string name)
    {
        using var admin = App.CreateHttpClient("gateway");
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await App.GetParameterValueAsync("admin-key"));
        var tenant = await (await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name = $"{name}-{Guid.NewGuid():N}"[..24] })).Content.ReadFromJsonAsync<JsonElement>();
        var tenantId = tenant.GetProperty("id").GetGuid();
        var key = await (await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/keys", new { name })).Content.ReadFromJsonAsync<JsonElement>();
        var http = App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.GetProperty("key").GetString());
        return (tenantId, http);
    }
}
