using Microsoft.Extensions.Diagnostics.HealthChecks;
using Platform.Testing.Mocks;
using Qdrant.Client.Grpc;

namespace Knowledge.FunctionalTests;

// The AppHost's optional resources and per-service settings, as the second platform is configured with them.
[Collection(ProviderEmbeddingsPlatform.Name)]
public sealed class OptionalResourcesTests(ProviderEmbeddingsPlatformFixture secondPlatform)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OptionalExternalResources_WhenConfigured_AreShownWithHealth_AndReachTheirServices()
    {
        foreach (var name in new[] { "qdrant", "vllm" })
        {
            var state = await secondPlatform.App.Application.ResourceNotifications.WaitForResourceHealthyAsync(name, Cancellation)
                .WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
            state.Snapshot.HealthStatus.ShouldBe(HealthStatus.Healthy, name);
        }
        secondPlatform.Vllm.Requests.ShouldContain("/health");
        secondPlatform.Qdrant.Log.ShouldContain(call => call.Request is HealthCheckRequest);
        EnvironmentOf("ingestion").ShouldContain(("ConnectionStrings__qdrant", secondPlatform.Qdrant.ConnectionString));
        EnvironmentOf("orchestrator").ShouldContain(("services__vllm__http__0", secondPlatform.Vllm.Url.TrimEnd('/')));
        EnvironmentOf("ingestion").Select(v => v.Name).ShouldNotContain("ConnectionStrings__vllm");
    }

    [Fact]
    public void OneServicesSettings_FromTheCommandLineOrTheEnvironment_ReachThatServiceOnly()
    {
        EnvironmentOf("ingestion").ShouldContain(("Ingestion__EmbeddingModel", $"mock/{MockOpenAiServer.WordsEmbeddingModel}"));
        EnvironmentOf("gateway").ShouldContain(("Cache__SemanticEmbeddingModel", $"mock/{MockOpenAiServer.MeaningEmbeddingModel}"));
        EnvironmentOf("orchestrator").Select(v => v.Name).ShouldNotContain("Ingestion__EmbeddingModel");
        EnvironmentOf("orchestrator").Select(v => v.Name).ShouldNotContain("Cache__SemanticEmbeddingModel");
    }

    private List<(string Name, string? Value)> EnvironmentOf(string service) =>
        [.. secondPlatform.App.InstancesOf(service).Single().Snapshot.EnvironmentVariables.Select(v => (v.Name, v.Value?.TrimEnd('/')))];
}
