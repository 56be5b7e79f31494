using System.Diagnostics;

namespace AppHost.Hosting.Processes;

/// <summary>A child process whose output goes to its resource's log and which stops gracefully, then forcibly.</summary>
internal sealed class ManagedProcess : IDisposable
{
    private static readonly List<ManagedProcess> Live = [];
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static ManagedProcess()
    {
        // The last line of defence: whatever way the AppHost ends, its children end with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
    }

    private static void KillAll()
    {
        lock (Live)
        {
            foreach (var process in Live)
            {
                process.Kill();
            }
        }
    }

    private ManagedProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _exited.Task.IsCompleted;

    public Task<int> Exited => _exited.Task;

    public static ManagedProcess Start(ProcessStartInfo info, ResourceLog log)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process);
        process.OutputDataReceived += (_, e) => log.Write(e.Data);
        process.ErrorDataReceived += (_, e) => log.Write(e.Data);
        process.Exited += (_, _) =>
        {
            lock (Live)
            {
                Live.Remove(managed);
            }
            // Let the output readers drain before reporting the exit.
            process.WaitForExit();
            managed._exited.TrySetResult(process.ExitCode);
        };

        lock (Live)
        {
            process.Start();
            Live.Add(managed);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="grace"/>, then kills.</summary>
    public async Task StopAsync(int signal, TimeSpan grace)
    {
        if (HasExited)
        {
            return;
        }
        Posix.Send(_process.Id, signal);
        if (await Task.WhenAny(_exited.Task, Task.Delay(grace)) != _exited.Task)
        {
            Kill();
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose() => _process.Dispose();
}
