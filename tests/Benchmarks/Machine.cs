using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Benchmarks;

/// <summary>What <c>/proc</c> tells of this machine and of the processes a platform runs on it.</summary>
public static class Machine
{
    /// <summary>The machine's busy and total CPU time so far, from the first line of <c>/proc/stat</c> (user nice system idle iowait …).</summary>
    public static (long Busy, long Total) Ticks()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        return (ticks.Sum() - ticks[3] - ticks[4], ticks.Sum());
    }

    /// <summary>How many cores were busy, on average, between two readings of <see cref="Ticks"/>.</summary>
    public static double BusyCores((long Busy, long Total) before, (long Busy, long Total) after) =>
        (double)(after.Busy - before.Busy) / Math.Max(1, after.Total - before.Total) * Environment.ProcessorCount;

    /// <summary>
    /// Waits (three minutes at most) until under a fifth of a core is busy: start-up work (migrations, the local
    /// model's warm-up, tier-1 compilation), or anyone else's, must not share the cores with what is measured.
    /// </summary>
    public static async Task QuietAsync()
    {
        var clock = Stopwatch.StartNew();
        double cores;
        do
        {
            var before = Ticks();
            await Task.Delay(TimeSpan.FromSeconds(5));
            cores = BusyCores(before, Ticks());
        }
        while (cores >= 0.2 && clock.Elapsed < TimeSpan.FromMinutes(3));
        Console.WriteLine($"{(cores < 0.2 ? "Quiet" : "Still busy")} after {clock.Elapsed.TotalSeconds:0} s ({cores:0.00} cores in use).");
    }

    /// <summary>
    /// Has a .NET process run a full, blocking garbage collection, as dotnet-gcdump does (an EventPipe session with the
    /// runtime's GCHeapCollect keyword), and returns the bytes that survived it: what the process holds live, without
    /// the garbage it had yet to collect or the allocation budget its GC keeps beside it.
    /// </summary>
    public static async Task<double> CollectGarbageAsync(int pid)
    {
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = new DiagnosticsClient(pid).StartEventPipeSession(
            new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, keywords), requestRundown: false);
        var live = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            // Each collection reports its heap's statistics before the next starts.
            var full = false;
            source.Clr.GCStart += start => full = start.Depth == 2;
            source.Clr.GCHeapStats += stats =>
            {
                if (full)
                {
                    live.TrySetResult(stats.TotalPromoted);
                }
            };
            source.Process();
        });
        var size = await live.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await session.StopAsync(CancellationToken.None);
        await reading;
        return size;
    }

    /// <summary>A process's resident memory (VmRSS in <c>/proc/&lt;pid&gt;/status</c>), in bytes.</summary>
    public static double ResidentBytes(int pid) =>
        double.Parse(File.ReadLines($"/proc/{pid}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    public static int Descriptors(int pid) => Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();

    /// <summary>
    /// The hard "Max open files" of this process, which its children inherit: .NET and DCP (Go) raise their own soft
    /// limit to it at start, so it, not <c>ulimit -n</c>, bounds the sockets any one of them can hold.
    /// </summary>
    public static int HardOpenFilesLimit()
    {
        var fields = File.ReadLines("/proc/self/limits").First(line => line.StartsWith("Max open files", StringComparison.Ordinal))["Max open files".Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields[1] == "unlimited" ? int.MaxValue : int.Parse(fields[1], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// DCP's processes, which are no resource of the platform but run the proxies in front of replicas: each watches
    /// the one that started it (<c>--monitor &lt;pid&gt;</c>), from this process down.
    /// </summary>
    public static List<(string Name, int Pid)> DcpProcesses()
    {
        var commands = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit))
            .Select(pid => (Pid: int.Parse(pid!, CultureInfo.InvariantCulture), Args: Command(pid!)))
            .Where(p => p.Args.Length > 0 && p.Args[0].EndsWith("/dcp", StringComparison.Ordinal)).ToList();
        var found = new List<(string Name, int Pid)>();
        var monitors = new Queue<int>([Environment.ProcessId]);
        while (monitors.TryDequeue(out var monitored))
        {
            foreach (var (pid, _) in commands.Where(c => c.Args.SkipWhile(a => a != "--monitor").Skip(1).FirstOrDefault() == monitored.ToString(CultureInfo.InvariantCulture)))
            {
                found.Add(("dcp", pid));
                monitors.Enqueue(pid);
            }
        }
        return found;
    }

    private static string[] Command(string pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            // The process ended meanwhile.
            return [];
        }
    }
}
