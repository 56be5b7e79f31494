using AppHost.Hosting.Processes;

namespace AppHost.Hosting;

/// <summary>What resources share while the app runs: options, folders, secrets, logs and a probe client.</summary>
internal sealed class ResourceContext(AppHostOptions options, string dataDirectory, SecretStore secrets, string runId) : IDisposable
{
    private readonly Dictionary<string, ResourceLog> _logs = [];

    public AppHostOptions Options { get; } = options;

    public string DataDirectory { get; } = dataDirectory;

    public SecretStore Secrets { get; } = secrets;

    /// <summary>Set on every process the AppHost starts, so a test (or an operator) can find them all.</summary>
    public string RunId { get; } = runId;

    public HttpClient Probe { get; } = new() { Timeout = TimeSpan.FromSeconds(3) };

    public string PathFor(string resourceName) => Path.Combine(DataDirectory, resourceName);

    public ResourceLog LogFor(Resource resource)
    {
        lock (_logs)
        {
            if (!_logs.TryGetValue(resource.Name, out var log))
            {
                log = new ResourceLog(resource.Name, Path.Combine(DataDirectory, "logs", $"{resource.Name}.log"), echo: !Options.Embedded);
                _logs[resource.Name] = log;
            }
            return log;
        }
    }

    /// <summary>Polls <paramref name="resource"/>'s health until it is healthy, its process has ended, or the startup timeout passes.</summary>
    public async Task WaitHealthyAsync(Resource resource, Func<bool> hasExited, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.StartupTimeout);
        HealthReport last = default;
        while (true)
        {
            if (hasExited())
            {
                throw new DistributedApplicationException(
                    $"{resource.Name} exited while starting. Its log: {LogFor(resource).FilePath}{LogFor(resource).Tail()}");
            }
            try
            {
                last = await resource.CheckHealthAsync(this, timeout.Token);
                if (last.Health == ResourceHealth.Healthy)
                {
                    resource.Health = ResourceHealth.Healthy;
                    resource.HealthDescription = last.Description;
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new DistributedApplicationException(
                    $"{resource.Name} did not become healthy within {Options.StartupTimeout.TotalSeconds:0} s" +
                    $"{(last.Description is null ? "" : $" ({last.Description})")}. Its log: {LogFor(resource).FilePath}{LogFor(resource).Tail()}");
            }
        }
    }

    public void Dispose()
    {
        Probe.Dispose();
        foreach (var log in _logs.Values)
        {
            log.Dispose();
        }
    }
}
