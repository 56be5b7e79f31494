using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace AppHost.Tests;

/// <summary>The AppHost run as its own process on a throwaway data folder, with its console captured.</summary>
public sealed partial class AppHostProcess : IDisposable
{
    private static readonly string AssemblyPath = Path.GetFullPath(typeof(AppHostProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AppHostAssembly").Value!);

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    public string? RunId => RunIdPattern().Match(Output) is { Success: true } match ? match.Groups[1].Value : null;

    public static AppHostProcess Start(string dataDirectory, params string[] arguments) => Start(dataDirectory, new Dictionary<string, string>(), arguments);

    public static AppHostProcess Start(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet", [AssemblyPath, $"--AppHost:DataDirectory={dataDirectory}", "--AppHost:RandomPorts=true", "--AppHost:FastPostgres=true", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info };
        var host = new AppHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => host.Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public Task WaitUntilReadyAsync() =>
        Task.WhenAny(_ready.Task, _process.WaitForExitAsync()).Unwrap().WaitAsync(TimeSpan.FromMinutes(3))
            .ContinueWith(_ => _ready.Task.IsCompleted ? Task.CompletedTask : throw new InvalidOperationException($"The AppHost ended before it was ready:{Environment.NewLine}{Output}"), TaskScheduler.Default)
            .Unwrap();

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return _process.ExitCode;
    }

    /// <summary>Ctrl+C, as a developer would press it.</summary>
    public void Interrupt()
    {
        if (kill(_process.Id, 2) != 0)
        {
            throw new InvalidOperationException($"Could not signal process {_process.Id}.");
        }
    }

    /// <summary>
    /// Processes still alive that the AppHost run <paramref name="runId"/> started: it marks each one's environment,
    /// except that PostgreSQL overwrites its own, so that one is known by its data folder on the command line.
    /// </summary>
    public static List<int> ProcessesOf(string runId, string dataDirectory)
    {
        var marker = $"AIPLATFORM_RUN_ID={runId}";
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "environ")).Split('\0').Contains(marker)
                    || File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(dataDirectory, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    /// <summary>The environment of the running service whose assembly is <paramref name="assemblyName"/>.</summary>
    public static string[] EnvironmentOf(string runId, string assemblyName)
    {
        var marker = $"AIPLATFORM_RUN_ID={runId}";
        foreach (var directory in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var environment = File.ReadAllText(Path.Combine(directory, "environ")).Split('\0');
                if (environment.Contains(marker) && File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(assemblyName, StringComparison.Ordinal))
                {
                    return environment;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        throw new InvalidOperationException($"No process of run {runId} runs {assemblyName}.");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
        }
        if (line.Contains("Ready in", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    [GeneratedRegex(@"run id ([0-9a-f]{32})")]
    private static partial Regex RunIdPattern();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
