using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace AppHost.Tests;

/// <summary>
/// The AppHost run as its own process, as <c>./eng/run.sh</c> runs it, on a throwaway data folder and random ports, with
/// its console captured.
/// </summary>
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

    public int Id => _process.Id;

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

    /// <summary>Where the console says the Gateway answers, once everything is ready.</summary>
    public Uri GatewayUrl => new(GatewayPattern().Match(Output).Groups[1].Value);

    public static AppHostProcess Start(string dataDirectory, params string[] arguments) => Start(dataDirectory, new Dictionary<string, string>(), arguments);

    public static AppHostProcess Start(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet",
            [AssemblyPath, $"--LocalServers:DataDirectory={dataDirectory}", "--LocalServers:FastPostgres=true", "--DcpPublisher:RandomizePorts=true", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // What the launch profile gives a developer's run: a dashboard (here on a port of its own) and plain HTTP.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = $"http://localhost:{FreePort()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePort()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
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

    /// <summary>Waits until the console has said <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost never said '{text}':{Environment.NewLine}{Output}");
            }
            await Task.Delay(200);
        }
    }

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
    /// The processes this AppHost has running: DCP (which it starts detached, watching the AppHost's process id) with
    /// everything DCP started (servers, services), and anything else whose command line names the data folder.
    /// </summary>
    public List<int> RunningProcesses(string dataDirectory)
    {
        var processes = Directory.EnumerateDirectories("/proc")
            .Select(directory => int.TryParse(Path.GetFileName(directory), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(pid => (Pid: pid, Parent: ParentOf(pid), CommandLine: CommandLineOf(pid)))
            .Where(process => process.CommandLine is not null)
            .ToList();
        var ours = processes
            .Where(p => p.CommandLine!.Contains($"--monitor {_process.Id} ", StringComparison.Ordinal) || p.CommandLine.Contains(dataDirectory, StringComparison.Ordinal))
            .Select(p => p.Pid)
            .ToHashSet();
        // Descendants, to any depth.
        for (var added = true; added;)
        {
            added = false;
            foreach (var process in processes.Where(p => !ours.Contains(p.Pid) && ours.Contains(p.Parent)))
            {
                added |= ours.Add(process.Pid);
            }
        }
        return [.. ours];
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // The parent is the second field after the command name, which is in parentheses and may hold spaces.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string? CommandLineOf(int pid)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            // Zombies (exited, not yet reaped) have no command line and hold nothing.
            return commandLine.Length == 0 ? null : commandLine;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
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
        if (line.Contains("Every resource is running and healthy", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    [GeneratedRegex(@"The Gateway answers on (http://\S+),")]
    private static partial Regex GatewayPattern();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
