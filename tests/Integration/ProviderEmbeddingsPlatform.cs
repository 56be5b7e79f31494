using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;
using Platform.Testing.Mocks;

namespace Integration;

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
public sealed class ProviderEmbeddingsPlatformFixture : IAsyncLifetime
{
    public FakeQdrantServer Qdrant { get; private set; } = null!;

    public DistributedApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Qdrant = await FakeQdrantServer.StartAsync();
        // The providers (the mock's models among them) come from the environment the assembly's fixture set.
        App = await DistributedApp.StartAsync(
        [
            $"--ConnectionStrings:qdrant={Qdrant.ConnectionString}",
            $"--Resources:ingestion:Environment:Ingestion__EmbeddingModel=mock/{MockOpenAiServer.WordsEmbeddingModel}",
            $"--Resources:gateway:Environment:Cache__SemanticEmbeddingModel=mock/{MockOpenAiServer.MeaningEmbeddingModel}",
        ]);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Qdrant.DisposeAsync();
    }

    public async Task<(Guid TenantId, HttpClient Http)> CreateTenantAsync(string name)
    {
        using var admin = App.CreateHttpClient("gateway");
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", App.Application.GetParameterValue("admin-key"));
        var tenant = await (await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name = $"{name}-{Guid.NewGuid():N}"[..24] })).Content.ReadFromJsonAsync<JsonElement>();
        var tenantId = tenant.GetProperty("id").GetGuid();
        var key = await (await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/keys", new { name })).Content.ReadFromJsonAsync<JsonElement>();
        var http = App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.GetProperty("key").GetString());
        return (tenantId, http);
    }
}
