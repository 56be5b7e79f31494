using System.Diagnostics;
using AppHost.Hosting;

namespace Platform.Testing;

/// <summary>
/// Starts the AppHost's own graph (its Program, unchanged) inside the test process, as Aspire.Hosting.Testing does:
/// on free ports and a throwaway data folder, so it never meets a running dev instance.
/// </summary>
public sealed class DistributedApp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly Task _run;
    private readonly string _dataDirectory;

    private DistributedApp(DistributedApplication application, Task run, string dataDirectory)
    {
        Application = application;
        _run = run;
        _dataDirectory = dataDirectory;
    }

    public DistributedApplication Application { get; }

    public static async Task<DistributedApp> StartAsync(IEnumerable<string>? arguments = null)
    {
        // Under /tmp and world-traversable: PostgreSQL runs as the postgres user and must reach its folder.
        var dataDirectory = Directory.CreateTempSubdirectory("aiplatform-test-").FullName;
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101);
        string[] args =
        [
            $"--AppHost:DataDirectory={dataDirectory}",
            "--AppHost:RandomPorts=true",
            "--AppHost:Embedded=true",
            "--AppHost:FastPostgres=true",
            "--AppHost:HealthCheckInterval=00:00:01",
            .. arguments ?? [],
        ];

        var built = new TaskCompletionSource<DistributedApplication>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = DiagnosticListener.AllListeners.Subscribe(new BuiltObserver(built));
        var entryPoint = typeof(DistributedApplication).Assembly.EntryPoint!;
        var run = Task.Factory.StartNew(() => entryPoint.Invoke(null, [args]), TaskCreationOptions.LongRunning);

        // The program may end before building (a bad argument): then its exception is the answer.
        if (await Task.WhenAny(built.Task, run).WaitAsync(StartTimeout) != built.Task)
        {
            await run;
            throw new InvalidOperationException("The AppHost ended without building its app model.");
        }
        var application = await built.Task;
        var app = new DistributedApp(application, run, dataDirectory);
        try
        {
            await application.Started.WaitAsync(StartTimeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    public HttpClient CreateHttpClient(string resourceName) => Application.CreateHttpClient(resourceName);

    public async ValueTask DisposeAsync()
    {
        await Application.DisposeAsync();
        await _run.WaitAsync(TimeSpan.FromMinutes(1));
        // KEEP_TEST_DATA=1 keeps the folder, with every resource's log under logs/, for a look after a failure.
        if (Environment.GetEnvironmentVariable("KEEP_TEST_DATA") != "1")
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private sealed class BuiltObserver(TaskCompletionSource<DistributedApplication> built)
        : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DistributedApplication.DiagnosticListenerName)
            {
                listener.Subscribe(this);
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value is { Key: "Built", Value: DistributedApplication application })
            {
                built.TrySetResult(application);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
