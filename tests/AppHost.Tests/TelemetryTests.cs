using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AppHost.Tests;

// With the dashboard the services send it their telemetry (Portal's AspireDashboardTests follow a trace there).
public sealed class TelemetryTests
{
    [Fact]
    public async Task WithoutTheDashboard_ServicesAreNotPointedAtACollectorThatIsNotThere()
    {
        await using var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = false }, ["--DcpPublisher:RandomizePorts=true"], TestContext.Current.CancellationToken);

        await using var app = await appHost.BuildAsync(TestContext.Current.CancellationToken);
        var execution = app.Services.GetRequiredService<DistributedApplicationExecutionContext>();

        foreach (var service in appHost.Resources.OfType<ProjectResource>())
        {
            var environment = (await ExecutionConfigurationBuilder.Create(service).WithEnvironmentVariablesConfig()
                .BuildAsync(execution, cancellationToken: TestContext.Current.CancellationToken))
                .EnvironmentVariables.ToDictionary();

            environment.Keys.ShouldNotContain(name => name.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal), service.Name);
            environment.ShouldContainKey("OTEL_SERVICE_NAME", "Aspire's telemetry settings were applied, and only the collector's removed");
        }
    }
}
