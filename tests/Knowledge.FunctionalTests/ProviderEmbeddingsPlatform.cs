using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway;
using Ingestion;
using Platform.Testing.Mocks;

namespace Knowledge.FunctionalTests;

[CollectionDefinition(Name)]
public sealed class ProviderEmbeddingsPlatform : ICollectionFixture<ProviderEmbeddingsPlatformFixture>
{
    public const string Name = "provider embeddings platform";
}

/// <summary>
/// A second platform that embeds with providers' models (the mock OpenAI server's, through the Orchestrator): its
/// Ingestion keeps vectors in Qdrant (the fake speaking Qdrant's HTTP API: no Qdrant server can be installed here),
/// and its Gateway's semantic cache compares questions by a model that knows synonyms.
/// </summary>
public sealed class ProviderEmbeddingsPlatformFixture(PlatformFixture platform) : IAsyncLifetime
{
    public FakeQdrantServer Qdrant { get; private set; } = null!;

    public TestPlatform App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Qdrant = await FakeQdrantServer.StartAsync();
        // The same mock providers as the assembly's platform, so tests read what both asked of them.
        var settings = PlatformFixture.Settings(platform.MockOpenAi, platform.MockAnthropic, platform.MockOllama)
            .Configure<IngestionOptions>("Ingestion", ingestion => ingestion.EmbeddingModel = $"mock/{MockOpenAiServer.WordsEmbeddingModel}", service: "ingestion")
            .Configure<CacheOptions>("Cache", cache => cache.SemanticEmbeddingModel = $"mock/{MockOpenAiServer.MeaningEmbeddingModel}", service: "gateway");
        settings.AppHostArguments.Add($"--ConnectionStrings:qdrant={Qdrant.ConnectionString}");
        App = await TestPlatform.StartAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Qdrant.DisposeAsync();
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
