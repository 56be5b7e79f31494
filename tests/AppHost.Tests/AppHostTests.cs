using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace AppHost.Tests;

public sealed partial class AppHostTests
{
    [Fact]
    public async Task Start_WithAPortTaken_NamesResourceAndPort_ExitsNonZero_AndStartsNothing()
    {
        using var data = new ThrowawayDataDirectory();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        using var host = AppHostProcess.Start(data.Path, $"--Resources:gateway:Port={port}");
        var exitCode = await host.WaitForExitAsync();

        exitCode.ShouldBe(1);
        host.Output.ShouldContain($"Port {port} for gateway is already in use");
        Directory.Exists(Path.Combine(data.Path, "postgres")).ShouldBeFalse("nothing was started");
    }

    [Fact]
    public async Task Start_WithAServerBinaryMissing_SaysToRunSetup()
    {
        using var data = new ThrowawayDataDirectory();

        using var host = AppHostProcess.Start(data.Path, "--AppHost:NatsServer=/nonexistent/nats-server");
        var exitCode = await host.WaitForExitAsync();

        exitCode.ShouldBe(1);
        host.Output.ShouldContain("/nonexistent/nats-server");
        host.Output.ShouldContain("./eng/setup.sh");
    }

    [Fact]
    public async Task Start_WithDamagedPostgresData_ExplainsKeepsItAndLeavesNothingRunning()
    {
        using var data = new ThrowawayDataDirectory();
        var damaged = Path.Combine(data.Path, "postgres", "data");
        Directory.CreateDirectory(damaged);
        var leftover = Path.Combine(damaged, "pg_hba.conf");
        await File.WriteAllTextAsync(leftover, "what remains", TestContext.Current.CancellationToken);

        using var host = AppHostProcess.Start(data.Path);
        var exitCode = await host.WaitForExitAsync();

        exitCode.ShouldBe(1);
        host.Output.ShouldContain("looks damaged");
        File.Exists(leftover).ShouldBeTrue("never a silent wipe");
        AppHostProcess.ProcessesOf(host.RunId!, data.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_ServesHealth_StopsEverythingOnCtrlC_AndTheNextRunReusesTheData()
    {
        using var data = new ThrowawayDataDirectory();

        using (var first = AppHostProcess.Start(data.Path))
        {
            await first.WaitUntilReadyAsync();
            AppHostProcess.ProcessesOf(first.RunId!, data.Path).Count.ShouldBeGreaterThanOrEqualTo(11, "postgres, redis, nats and eight services");
            using var http = new HttpClient { BaseAddress = new Uri(GatewayUrl().Match(first.Output).Groups[1].Value) };
            (await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);

            var demoKey = (await File.ReadAllTextAsync(Path.Combine(data.Path, "demo-key"), TestContext.Current.CancellationToken)).Trim();
            demoKey.ShouldStartWith("sk-aip-");
            first.Output.ShouldContain($"demo-key: {demoKey}");
            first.Output.ShouldNotContain("qdrant", Case.Sensitive, "optional resources are absent unless configured");
            first.Output.ShouldNotContain("vllm");

            first.Interrupt();

            (await first.WaitForExitAsync()).ShouldBe(0);
            AppHostProcess.ProcessesOf(first.RunId!, data.Path).ShouldBeEmpty();
        }
        var adminKey = await File.ReadAllTextAsync(Path.Combine(data.Path, "admin-key"), TestContext.Current.CancellationToken);

        using var second = AppHostProcess.Start(data.Path);
        await second.WaitUntilReadyAsync();
        second.Interrupt();

        (await second.WaitForExitAsync()).ShouldBe(0);
        second.Output.ShouldContain("Reusing the data");
        second.Output.ShouldNotContain("Creating a new cluster");
        (await File.ReadAllTextAsync(Path.Combine(data.Path, "admin-key"), TestContext.Current.CancellationToken)).ShouldBe(adminKey);
        AppHostProcess.ProcessesOf(second.RunId!, data.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task OptionalExternalResources_WhenConfigured_AreShownWithHealth_AndReachTheirServices_AsDoOneServicesSettings()
    {
        using var data = new ThrowawayDataDirectory();
        await using var external = await FakeExternalService.StartAsync();

        using var host = AppHostProcess.Start(data.Path,
            new Dictionary<string, string> { ["Resources__gateway__Environment__Cache__SemanticEnabled"] = "true" },
            $"--ConnectionStrings:qdrant=Endpoint={external.Url};Key=test-key",
            $"--ExternalServices:vllm={external.Url}v1",
            "--Resources:ingestion:Environment:Ingestion__EmbeddingModel=local/local-embedding");
        await host.WaitUntilReadyAsync();

        host.Output.ShouldMatch(@"qdrant\s+external\s+Running\s+Healthy");
        host.Output.ShouldMatch(@"vllm\s+external\s+Running\s+Healthy");
        external.Requests.ShouldContain("/healthz");
        external.Requests.ShouldContain("/health");
        AppHostProcess.EnvironmentOf(host.RunId!, "Ingestion.dll").ShouldContain($"ConnectionStrings__qdrant=Endpoint={external.Url};Key=test-key");
        AppHostProcess.EnvironmentOf(host.RunId!, "Orchestrator.dll").ShouldContain($"services__vllm__http__0={external.Url}v1");
        // A setting for one service, from an environment variable (which arrives as a path) or from the command line.
        AppHostProcess.EnvironmentOf(host.RunId!, "Gateway.dll").ShouldContain("Cache__SemanticEnabled=true");
        AppHostProcess.EnvironmentOf(host.RunId!, "Ingestion.dll").ShouldContain("Ingestion__EmbeddingModel=local/local-embedding");
        AppHostProcess.EnvironmentOf(host.RunId!, "Orchestrator.dll").ShouldNotContain("Cache__SemanticEnabled=true");
        host.Interrupt();
        (await host.WaitForExitAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task OtlpEndpointGivenToTheAppHost_ReceivesTracesMetricsAndLogsFromTheServices()
    {
        using var data = new ThrowawayDataDirectory();
        await using var collector = await FakeExternalService.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url.TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "500",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };

        using var host = AppHostProcess.Start(data.Path, environment);
        await host.WaitUntilReadyAsync();
        using var http = new HttpClient { BaseAddress = new Uri(GatewayUrl().Match(host.Output).Groups[1].Value) };
        await http.GetAsync("/api/v1/admin/tenants", TestContext.Current.CancellationToken);

        foreach (var signal in new[] { "/v1/traces", "/v1/metrics", "/v1/logs" })
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!collector.Requests.Contains(signal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
            collector.Requests.ShouldContain(signal);
        }
        host.Interrupt();
        (await host.WaitForExitAsync()).ShouldBe(0);
    }

    [GeneratedRegex(@"gateway is healthy at (http://\S+)\.")]
    private static partial Regex GatewayUrl();
}
