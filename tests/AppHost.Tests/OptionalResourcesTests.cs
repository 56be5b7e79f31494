using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Platform.Testing;

namespace AppHost.Tests;

public sealed class OptionalResourcesTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OptionalExternalResources_WhenConfigured_AreShownWithHealth_AndReachTheirServices_AsDoOneServicesSettings()
    {
        await using var external = await FakeExternalService.StartAsync();
        var settings = new PlatformSettings();
        settings.AppHostArguments.AddRange(
        [
            $"--ConnectionStrings:qdrant=Endpoint={external.Url};Key=test-key",
            $"--ExternalServices:vllm={external.Url}",
            "--Resources:ingestion:Environment:Ingestion__EmbeddingModel=local/local-embedding",
        ]);
        // A setting for one service from an environment variable arrives as a path.
        Environment.SetEnvironmentVariable("Resources__gateway__Environment__Cache__SemanticEnabled", "true");
        TestPlatform platform;
        try
        {
            platform = await TestPlatform.StartAsync(settings, cancellationToken: Cancellation);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Resources__gateway__Environment__Cache__SemanticEnabled", null);
        }
        await using var _ = platform;

        foreach (var name in new[] { "qdrant", "vllm" })
        {
            var state = await platform.Application.ResourceNotifications.WaitForResourceHealthyAsync(name, Cancellation).WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
            state.Snapshot.HealthStatus.ShouldBe(HealthStatus.Healthy, name);
        }
        external.Requests.ShouldContain("/healthz");
        external.Requests.ShouldContain("/health");
        EnvironmentOf(platform, "ingestion").ShouldContain(("ConnectionStrings__qdrant", $"Endpoint={external.Url};Key=test-key"));
        EnvironmentOf(platform, "orchestrator").ShouldContain(("services__vllm__http__0", external.Url.TrimEnd('/')));
        EnvironmentOf(platform, "gateway").ShouldContain(("Cache__SemanticEnabled", "true"));
        EnvironmentOf(platform, "ingestion").ShouldContain(("Ingestion__EmbeddingModel", "local/local-embedding"));
        EnvironmentOf(platform, "orchestrator").Select(v => v.Name).ShouldNotContain("Cache__SemanticEnabled");
    }

    [Fact]
    public async Task OptionalExternalResources_WhenNotConfigured_AreAbsent()
    {
        var appHost = await Aspire.Hosting.Testing.DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(["--DcpPublisher:RandomizePorts=true"], Cancellation);

        appHost.Resources.Select(r => r.Name).ShouldNotContain("qdrant");
        appHost.Resources.Select(r => r.Name).ShouldNotContain("vllm");
        appHost.Resources.OfType<ProjectResource>().Count().ShouldBe(8);
    }

    private static List<(string Name, string? Value)> EnvironmentOf(TestPlatform platform, string service) =>
        [.. platform.InstancesOf(service).Single().Snapshot.EnvironmentVariables.Select(v => (v.Name, v.Value?.TrimEnd('/')))];
}
