using System.Diagnostics;
using System.Runtime.InteropServices;
using AppHost.Hosting.Processes;
using AppHost.Hosting.Resources;

namespace AppHost.Hosting;

/// <summary>
/// The running app model: starts resources in dependency order once each dependency is healthy, watches their
/// health, and stops them all (dependents first) on Ctrl+C, SIGTERM or <see cref="StopAsync"/>.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    /// <summary>Where a test fixture hears of the app a program built, as Aspire.Hosting.Testing does.</summary>
    public const string DiagnosticListenerName = "AppHost.Hosting";

    private static readonly DiagnosticListener Diagnostics = new(DiagnosticListenerName);

    private readonly IReadOnlyList<Resource> _resources;
    private readonly IReadOnlyList<ParameterResource> _parameters;
    private readonly IReadOnlyList<(string Resource, int Port)> _ports;
    private readonly ResourceContext _context;
    private readonly ResourceLog _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _monitor;
    private int _stopRequested;

    internal DistributedApplication(
        AppHostOptions options,
        string dataDirectory,
        IReadOnlyList<Resource> resources,
        IReadOnlyList<ParameterResource> parameters,
        IReadOnlyList<(string Resource, int Port)> ports)
    {
        _resources = resources;
        _parameters = parameters;
        _ports = ports;
        _context = new ResourceContext(options, dataDirectory, new SecretStore(dataDirectory), Guid.NewGuid().ToString("N"));
        _log = new ResourceLog("apphost", Path.Combine(dataDirectory, "logs", "apphost.log"), echo: !options.Embedded);
        if (Diagnostics.IsEnabled("Built"))
        {
            Diagnostics.Write("Built", this);
        }
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    public IReadOnlyList<Resource> Resources => _resources;

    public string DataDirectory => _context.DataDirectory;

    /// <summary>Set as AIPLATFORM_RUN_ID on every process this app starts.</summary>
    public string RunId => _context.RunId;

    /// <summary>Completes when every resource is healthy; faults when the start failed.</summary>
    public Task Started => _started.Task;

    public void Run() => RunAsync().GetAwaiter().GetResult();

    /// <summary>Starts everything, prints the resource table, and runs until stopped. A failed start sets exit code 1.</summary>
    public async Task RunAsync()
    {
        using var interrupt = _context.Options.Embedded ? null : PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = _context.Options.Embedded ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var clock = Stopwatch.StartNew();
        try
        {
            await StartAsync(_stopping.Token);
            WriteTable();
            foreach (var parameter in _parameters.Where(p => p.Announce))
            {
                _log.Write($"{parameter.Name}: {parameter.GetValue(_context)} (in {Path.Combine(DataDirectory, parameter.File)})");
            }
            _log.Write($"Ready in {clock.Elapsed.TotalSeconds:0.0} s. Data and logs: {DataDirectory}. Press Ctrl+C to stop.");
            await Task.Delay(Timeout.Infinite, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (DistributedApplicationException ex)
        {
            _log.Write($"ERROR: {ex.Message}");
            if (!_context.Options.Embedded)
            {
                Console.Error.WriteLine(ex.Message);
            }
            Environment.ExitCode = 1;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped while starting.
        }
        finally
        {
            await StopAsync();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Preflight();
            _log.Write($"Starting {_resources.Count} resources (run id {RunId}); data in {DataDirectory}.");
            var starts = _resources.Select(resource => StartInOrderAsync(resource, cancellationToken)).ToList();
            try
            {
                await Task.WhenAll(starts);
            }
            catch
            {
                // Report the root cause, not the dependents that gave up waiting on it.
                var failure = starts.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                    .OrderBy(e => e is DependencyFailedException)
                    .First();
                throw failure is DependencyFailedException or DistributedApplicationException or OperationCanceledException
                    ? failure
                    : new DistributedApplicationException($"Start failed: {failure.Message}", failure);
            }
            _monitor = MonitorHealthAsync(_stopping.Token);
            _started.TrySetResult();
        }
        catch (Exception ex)
        {
            _started.TrySetException(ex);
            throw;
        }
    }

    /// <summary>Stops every resource, dependents before what they depend on. Safe to call more than once.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
        {
            await _stopped.Task;
            return;
        }
        await _stopping.CancelAsync();
        if (_monitor is not null)
        {
            await _monitor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var stops = new Dictionary<Resource, Task>();
        foreach (var resource in _resources)
        {
            _ = StopInOrder(resource, stops);
        }
        await Task.WhenAll(stops.Values);
        _log.Write("Stopped.");
        _context.Dispose();
        _log.Dispose();
        _stopped.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    public Uri GetEndpoint(string resourceName) =>
        Find(resourceName).Url is { } url ? new Uri(url) : throw new InvalidOperationException($"{resourceName} has no endpoint.");

    public HttpClient CreateHttpClient(string resourceName) => new() { BaseAddress = GetEndpoint(resourceName) };

    /// <summary>Every replica's endpoint of a service.</summary>
    public IReadOnlyList<Uri> GetEndpoints(string resourceName) =>
        Find(resourceName) is ProjectResource project ? [.. project.Urls.Select(url => new Uri(url))] : [GetEndpoint(resourceName)];

    public string GetConnectionString(string resourceName) =>
        Find(resourceName).GetConnectionString(_context) ?? throw new InvalidOperationException($"{resourceName} has no connection string.");

    public string GetParameterValue(string name) =>
        (_parameters.FirstOrDefault(p => p.Name == name) ?? throw new InvalidOperationException($"No parameter named {name}.")).GetValue(_context);

    /// <summary>Stops one resource (its dependents keep running and see it gone), as a test of resilience would.</summary>
    public async Task StopResourceAsync(string resourceName)
    {
        var resource = Find(resourceName);
        _log.Write($"Stopping {resource.Name} on request.");
        await resource.StopAsync(_context);
    }

    public async Task StartResourceAsync(string resourceName)
    {
        var resource = Find(resourceName);
        _log.Write($"Starting {resource.Name} on request.");
        await resource.StartAsync(_context, _stopping.Token);
    }

    public async Task WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var resource = Find(resourceName);
        while ((await resource.CheckHealthAsync(_context, cancellationToken)).Health != ResourceHealth.Healthy)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private Resource Find(string name) =>
        _resources.FirstOrDefault(r => r.Name == name) ?? throw new InvalidOperationException($"No resource named {name}.");

    // Everything that can be known before a process starts is checked first, so a bad start leaves nothing running.
    private void Preflight()
    {
        var missing = _resources.SelectMany(r => r.FindMissingPrerequisites(_context)).ToList();
        if (missing.Count > 0)
        {
            throw new DistributedApplicationException(
                $"Missing on this machine: {string.Join("; ", missing)}. Run ./eng/setup.sh to install and build what is missing.");
        }

        var taken = _ports.Where(p => !PortAllocator.IsFree(p.Port)).ToList();
        if (taken.Count > 0)
        {
            throw new DistributedApplicationException(string.Join(Environment.NewLine, taken.Select(p =>
                $"Port {p.Port} for {p.Resource} is already in use. Stop what holds it, or choose another with Resources__{p.Resource.Split(' ')[0]}__Port.")));
        }

        if (File.Exists(DataDirectory))
        {
            throw new DistributedApplicationException($"The data folder {DataDirectory} is a file, not a folder. Nothing was changed: move it aside.");
        }
        Directory.CreateDirectory(DataDirectory);
    }

    private async Task StartInOrderAsync(Resource resource, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var dependency in resource.WaitsFor)
            {
                try
                {
                    await dependency.Ready.Task.WaitAsync(cancellationToken);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new DependencyFailedException($"{resource.Name} was not started: {dependency.Name} failed.");
                }
            }
            _log.Write($"Starting {resource.Name}.");
            await resource.StartAsync(_context, cancellationToken);
            _log.Write($"{resource.Name} is {resource.Health.ToString().ToLowerInvariant()}{(resource.Url is null ? "" : $" at {resource.Url}")}.");
            resource.Ready.TrySetResult();
        }
        catch (Exception ex)
        {
            resource.State = ResourceState.Failed;
            resource.Ready.TrySetException(ex);
            throw;
        }
    }

    private Task StopInOrder(Resource resource, Dictionary<Resource, Task> stops, HashSet<Resource>? visiting = null)
    {
        if (stops.TryGetValue(resource, out var stop))
        {
            return stop;
        }
        visiting ??= [];
        // Services may reference each other (the Router and the Orchestrator do): a cycle waits on nobody.
        if (!visiting.Add(resource))
        {
            return Task.CompletedTask;
        }
        var dependents = _resources.Where(r => r.WaitsFor.Contains(resource)
            || (r is ProjectResource project && project.References.Contains(resource))).ToList();
        var dependentStops = dependents.Select(d => StopInOrder(d, stops, visiting)).ToList();
        visiting.Remove(resource);
        stop = StopAfterAsync(resource, dependentStops);
        stops[resource] = stop;
        return stop;
    }

    private async Task StopAfterAsync(Resource resource, List<Task> dependents)
    {
        await Task.WhenAll(dependents);
        try
        {
            await resource.StopAsync(_context);
        }
        catch (Exception ex)
        {
            _log.Write($"Stopping {resource.Name} failed: {ex.Message}");
        }
    }

    private async Task MonitorHealthAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_context.Options.HealthCheckInterval);
        var last = Snapshot();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var resource in _resources.Where(r => r.State == ResourceState.Running))
            {
                HealthReport report;
                try
                {
                    report = await resource.CheckHealthAsync(_context, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    report = HealthReport.Unhealthy(ex.Message);
                }
                if (report.Health != resource.Health)
                {
                    _log.Write($"{resource.Name} is {report.Health}{(report.Description is null ? "" : $": {report.Description}")}");
                }
                resource.Health = report.Health;
                resource.HealthDescription = report.Description;
            }
            // A process that exited changes the table too, not only a health check.
            var current = Snapshot();
            if (!current.SequenceEqual(last))
            {
                WriteTable();
                last = current;
            }
        }
    }

    private List<(ResourceState, ResourceHealth)> Snapshot() => [.. _resources.Select(r => (r.State, r.Health))];

    private void OnSignal(PosixSignalContext signal)
    {
        signal.Cancel = true;
        _log.Write($"{signal.Signal} received: stopping.");
        _stopping.Cancel();
    }

    private void WriteTable()
    {
        if (!_context.Options.Embedded)
        {
            Console.WriteLine(ResourceTable.Render(_resources));
        }
    }

    private sealed class DependencyFailedException(string message) : Exception(message);
}
