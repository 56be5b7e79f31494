using System.Net;
using System.Net.Sockets;

namespace AppHost.Tests;

// A start that fails says why, on the AppHost's console, and Ctrl+C still stops everything.
public sealed class AppHostStartFailureTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_WithAPortTaken_ShowsTheServiceFailed_WithTheReason()
    {
        using var data = new ThrowawayDataDirectory();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        using var host = AppHostProcess.Start(data.Path, $"--Resources:gateway:Port={port}");

        await host.WaitForOutputAsync("gateway ");
        await host.WaitForOutputAsync("address already in use");
        host.Output.ShouldMatch(@"gateway (Exited|Finished|FailedToStart).*The last lines of its log");
        host.Interrupt();
        (await host.WaitForExitAsync()).ShouldBe(0);
        await AppHostTests.ShouldAllEndAsync(host, data.Path);
    }

    [Fact]
    public async Task Start_WithAServerBinaryMissing_SaysToRunSetup()
    {
        using var data = new ThrowawayDataDirectory();

        using var host = AppHostProcess.Start(data.Path, "--LocalServers:NatsServer=/nonexistent/nats-server");

        await host.WaitForOutputAsync("./eng/setup.sh");
        host.Output.ShouldContain("/nonexistent/nats-server was not found (Debian package nats-server)");
        host.Output.ShouldMatch(@"nats FailedToStart");
        host.Interrupt();
        (await host.WaitForExitAsync()).ShouldBe(0);
        await AppHostTests.ShouldAllEndAsync(host, data.Path);
    }

    [Fact]
    public async Task Start_WithDamagedPostgresData_ExplainsAndKeepsIt()
    {
        using var data = new ThrowawayDataDirectory();
        var damaged = Path.Combine(data.Path, "postgres", "data");
        Directory.CreateDirectory(damaged);
        var leftover = Path.Combine(damaged, "pg_hba.conf");
        await File.WriteAllTextAsync(leftover, "what remains", Cancellation);

        using var host = AppHostProcess.Start(data.Path);

        await host.WaitForOutputAsync("looks damaged");
        host.Output.ShouldMatch(@"postgres-init Finished \(exit code 1\)");
        File.Exists(leftover).ShouldBeTrue("never a silent wipe");
        host.Interrupt();
        (await host.WaitForExitAsync()).ShouldBe(0);
        await AppHostTests.ShouldAllEndAsync(host, data.Path);
    }
}
