using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace AppHost.Tests;

// Configured, they are shown with their health and reach their services (see Knowledge.FunctionalTests).
public sealed class OptionalResourcesTests
{
    [Fact]
    public async Task OptionalExternalResources_WhenNotConfigured_AreAbsent()
    {
        await using var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--DcpPublisher:RandomizePorts=true"], TestContext.Current.CancellationToken);

        appHost.Resources.Select(r => r.Name).ShouldNotContain("qdrant");
        appHost.Resources.Select(r => r.Name).ShouldNotContain("vllm");
        appHost.Resources.OfType<ProjectResource>().Count().ShouldBe(8);
    }
}
