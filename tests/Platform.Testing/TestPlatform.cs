using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Platform.Testing;

/// <summary>
/// The AppHost's whole graph (its Program, unchanged) started by Aspire.Hosting.Testing on random ports and a throwaway
/// data folder, so it never meets a running dev instance; every service gets <see cref="PlatformSettings"/>.
/// </summary>
public sealed class TestPlatform : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(90);

    private readonly string _dataDirectory;
    private readonly ConcurrentDictionary<string, ResourceEvent> _instances = new();
    private readonly Dictionary<string, string> _connectionStrings = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watch;

    private TestPlatform(DistributedApplication application, string dataDirectory)
    {
        Application = application;
        _dataDirectory = dataDirectory;
        _watch = WatchInstancesAsync(_stopping.Token);
    }

    public DistributedApplication Application { get; }

    public static async Task<TestPlatform> StartAsync(PlatformSettings? settings = null, bool dashboard = false, CancellationToken cancellationToken = default)
    {
        try
        {
            return await StartOnceAsync(settings, dashboard, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A start that fails for a reason of the machine's (a free port taken by another process before the
            // service bound it; on CI, once, a whole assembly's platform that did not start) gets one more try. The
            // first failure is not hidden: it goes to PLATFORM_START_FAILURES, which the test script prints at its end.
            if (Environment.GetEnvironmentVariable("PLATFORM_START_FAILURES") is { Length: > 0 } log)
            {
                await File.AppendAllTextAsync(log, $"{DateTime.UtcNow:O} a platform's start failed and was tried again: {ex}{Environment.NewLine}", CancellationToken.None);
            }
            await Console.Error.WriteLineAsync($"The platform did not start, trying once more: {ex}");
            return await StartOnceAsync(settings, dashboard, cancellationToken);
        }
    }

    private static async Task<TestPlatform> StartOnceAsync(PlatformSettings? settings, bool dashboard, CancellationToken cancellationToken)
    {
        settings ??= new PlatformSettings();
        // Under /tmp and world-traversable: PostgreSQL runs as the postgres user and must reach its folder.
        var dataDirectory = Directory.CreateTempSubdirectory("aiplatform-test-").FullName;
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101);
        string[] arguments =
        [
            $"--LocalServers:DataDirectory={dataDirectory}",
            "--LocalServers:FastPostgres=true",
            "--DcpPublisher:RandomizePorts=true",
            .. settings.AppHostArguments,
        ];

        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = dashboard }, arguments, cancellationToken);
        // Resources' own output (PostgreSQL reports every refused statement a test provokes) only when asked for: PLATFORM_LOGS=1.
        var resourceLogs = Environment.GetEnvironmentVariable("PLATFORM_LOGS") == "1" ? LogLevel.Information : LogLevel.None;
        appHost.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("AppHost.Resources", resourceLogs)
            .AddFilter("Aspire.Hosting.Dcp", Environment.GetEnvironmentVariable("PLATFORM_LOGS") == "1" ? LogLevel.Debug : LogLevel.Error)
            // The console's report of health changes: tests stop resources on purpose.
            .AddFilter("AppHost.ConsoleReport", LogLevel.Error)
            // The AppHost's probes fail while a test stops a resource and as the platform stops: expected, not news.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        foreach (var service in appHost.Resources.OfType<ProjectResource>())
        {
            var resource = appHost.CreateResourceBuilder(service);
            foreach (var (name, value) in settings.ToEnvironment(service.Name))
            {
                resource.WithEnvironment(name, value);
            }
        }

        var application = await appHost.BuildAsync(cancellationToken).WaitAsync(StartTimeout, cancellationToken);
        var platform = new TestPlatform(application, dataDirectory);
        try
        {
            try
            {
                await application.StartAsync(cancellationToken).WaitAsync(StartTimeout, cancellationToken);
            }
            catch (TimeoutException ex)
            {
                throw new InvalidOperationException($"The platform did not start in {StartTimeout.TotalMinutes} minutes. Its resources:{Environment.NewLine}{platform.States()}", ex);
            }
            foreach (var service in application.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>())
            {
                try
                {
                    await application.ResourceNotifications.WaitForResourceHealthyAsync(service.Name, cancellationToken).WaitAsync(StartTimeout, cancellationToken);
                }
                catch (Exception ex) when (ex is DistributedApplicationException or TimeoutException)
                {
                    // Resource output is off unless asked for: without this a service that died at start says nothing of why.
                    throw new InvalidOperationException(
                        $"{service.Name} did not become healthy. Its last output:{Environment.NewLine}{await platform.LastOutputAsync(service.Name)}", ex);
                }
            }
            foreach (var resource in platform.Resources.OfType<IResourceWithConnectionString>())
            {
                platform._connectionStrings[resource.Name] = await resource.GetConnectionStringAsync(cancellationToken) ?? "";
            }
        }
        catch (Exception startFailure)
        {
            try
            {
                await platform.DisposeAsync();
            }
            catch (Exception stopFailure)
            {
                // The start's failure is the news (and what a retry looks at); a platform slow to stop after it is a footnote.
                await Console.Error.WriteLineAsync($"After failing to start ({startFailure.Message.Split(Environment.NewLine)[0]}), the platform did not stop cleanly: {stopFailure.Message}");
            }
            throw;
        }
        return platform;
    }

    public IEnumerable<IResource> Resources => Application.Services.GetRequiredService<DistributedApplicationModel>().Resources;

    public HttpClient CreateHttpClient(string resourceName) => Application.CreateHttpClient(resourceName, "http");

    /// <summary>The address clients use: a single service's own, or the proxy that spreads requests over its replicas.</summary>
    public Uri GetEndpoint(string resourceName) => Application.GetEndpoint(resourceName, "http");

    /// <summary>Every replica's own address (not the proxy's), in a stable order.</summary>
    public IReadOnlyList<Uri> GetReplicaEndpoints(string resourceName)
    {
        var replicas = InstancesOf(resourceName);
        return replicas.Count > 0
            ? [.. replicas.Select(instance => instance.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value is { } urls
                ? new Uri(urls.Split(';')[0])
                : throw new InvalidOperationException($"{instance.ResourceId} has no address yet."))]
            : throw new InvalidOperationException($"No instance of {resourceName} is known.");
    }

    /// <summary>The last lines each instance of a resource wrote (stdout and stderr), as far as they can be read in a few seconds.</summary>
    private async Task<string> LastOutputAsync(string resourceName, int lines = 60)
    {
        var logs = Application.Services.GetRequiredService<ResourceLoggerService>();
        var tail = new Queue<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            foreach (var instance in InstancesOf(resourceName))
            {
                await foreach (var batch in logs.GetAllAsync(instance.ResourceId).WithCancellation(timeout.Token))
                {
                    foreach (var line in batch)
                    {
                        tail.Enqueue($"{instance.ResourceId}: {line.Content}");
                        if (tail.Count > lines)
                        {
                            tail.Dequeue();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // What was read by then.
        }
        return string.Join(Environment.NewLine, tail);
    }

    private string States() => string.Join(Environment.NewLine, _instances.Values.OrderBy(instance => instance.ResourceId, StringComparer.Ordinal)
        .Select(instance => $"  {instance.ResourceId}: {instance.Snapshot.State?.Text ?? "unknown"}, {instance.Snapshot.HealthStatus?.ToString() ?? "no health yet"}"));

    /// <summary>The latest state of each of a resource's instances (one per replica), in a stable order.</summary>
    public IReadOnlyList<ResourceEvent> InstancesOf(string resourceName) =>
        [.. _instances.Values.Where(instance => instance.Resource.Name == resourceName).OrderBy(instance => instance.ResourceId, StringComparer.Ordinal)];

    /// <summary>A resource's connection string, as its references get it (resolved once the platform has started).</summary>
    public string GetConnectionString(string resourceName) =>
        _connectionStrings.TryGetValue(resourceName, out var connectionString)
            ? connectionString
            : throw new InvalidOperationException($"{resourceName} has no connection string.");

    public async Task<string> GetParameterValueAsync(string name) =>
        await Resources.OfType<ParameterResource>().Single(p => p.Name == name).GetValueAsync(CancellationToken.None).AsTask().WaitAsync(WaitTimeout)
        ?? throw new InvalidOperationException($"{name} has no value.");

    /// <summary>Stops a resource (every replica), as the dashboard's Stop command does; its dependents keep running and see it gone.</summary>
    public async Task StopResourceAsync(string resourceName)
    {
        var result = await Application.ResourceCommands.ExecuteCommandAsync(Resources.Single(r => r.Name == resourceName), KnownResourceCommands.StopCommand)
            .WaitAsync(WaitTimeout);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Stopping {resourceName} failed: {result.Message}");
        }
    }

    /// <summary>Starts a stopped resource again and waits until it is healthy.</summary>
    public async Task StartResourceAsync(string resourceName)
    {
        var result = await Application.ResourceCommands.ExecuteCommandAsync(Resources.Single(r => r.Name == resourceName), KnownResourceCommands.StartCommand)
            .WaitAsync(WaitTimeout);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Starting {resourceName} failed: {result.Message}");
        }
        await WaitForResourceHealthyAsync(resourceName);
    }

    /// <summary>Waits until the resource runs (again, after a restart) and its health checks pass.</summary>
    public Task WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default) =>
        Application.ResourceNotifications.WaitForResourceAsync(resourceName,
                update => update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy,
                cancellationToken)
            .WaitAsync(WaitTimeout, cancellationToken);

    // Replicas are instances of one resource, each with its own id and address; the notifications name them all.
    private async Task WatchInstancesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in Application.ResourceNotifications.WatchAsync(cancellationToken))
            {
                _instances[update.ResourceId] = update;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watch;
        _stopping.Dispose();
        try
        {
            await Application.StopAsync().WaitAsync(WaitTimeout);
        }
        finally
        {
            // Even after a stop that timed out: disposing ends DCP, and with it every process it started.
            await Application.DisposeAsync();
            // KEEP_TEST_DATA=1 keeps the folder (the servers' data) for a look after a failure.
            if (Environment.GetEnvironmentVariable("KEEP_TEST_DATA") != "1")
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
        }
    }
}
