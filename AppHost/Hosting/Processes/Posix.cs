using System.Runtime.InteropServices;

namespace AppHost.Hosting.Processes;

// .NET can only SIGKILL another process; graceful stops need SIGTERM or SIGINT, so ask libc.
internal static partial class Posix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static bool IsRoot => geteuid() == 0;

    public static bool Send(int processId, int signal) => kill(processId, signal) == 0;

    /// <summary>Runs a short command to its end and returns its exit code (output discarded).</summary>
    public static async Task<int> RunAsync(string fileName, params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
