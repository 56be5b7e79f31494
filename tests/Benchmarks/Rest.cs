using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Platform.Testing;

namespace Benchmarks;

/// <summary>
/// The platform at rest: each service's CPU, from its process's user and system time in <c>/proc</c>, over a stretch
/// with no traffic after it has settled. Usage: <c>dotnet run -c Release --project tests/Benchmarks -- idle [seconds, default 30]</c>.
/// </summary>
public static class Rest
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    // Long enough for start-up work (migrations, the first tier-1 compilations) to finish.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        await using var mocked = await MockedPlatform.StartAsync();
        Figures.WriteRun("idle", await MeasureAsync(mocked.Platform, seconds));
    }

    public static async Task<List<Figure>> MeasureAsync(TestPlatform platform, int seconds)
    {
        Console.WriteLine($"At rest: settling {Settle.TotalSeconds:0} s, then measuring {seconds} s with no traffic…");
        await Task.Delay(Settle);
        var services = Processes(platform, projectsOnly: true);
        var before = services.ToDictionary(s => s.Pid, s => CpuTicks(s.Pid));
        var jit = services.ToDictionary(s => s.Pid, s => new TierUpThreads(s.Pid));
        var end = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < end)
        {
            // The tiering threads live a few seconds after their last method, so sampling them this often misses little.
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            foreach (var threads in jit.Values)
            {
                threads.Sample();
            }
        }

        var figures = new List<Figure>();
        foreach (var (name, pid) in services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var share = Share(CpuTicks(pid) - before[pid], seconds);
            var tierUp = Share(jit[pid].Ticks, seconds);
            figures.Add(new Figure($"at rest, {name}: CPU", share, "% of a core", Context: true));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-14} {share,6:0.00} % of a core, {tierUp,6:0.00} % of it recompiling"));
        }
        var total = figures.Sum(f => f.Value);
        var totalTierUp = jit.Values.Sum(t => Share(t.Ticks, seconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"all services",-14} {total,6:0.00} % of a core, {totalTierUp,6:0.00} % of it recompiling; {total - totalTierUp:0.00} % without (goal ≤ 2 %)"));
        figures.Add(new Figure("at rest, all services: CPU", total, "% of a core"));
        figures.Add(new Figure("at rest, all services: recompiling warm code (JIT tiering)", totalTierUp, "% of a core", Context: true));
        figures.Add(new Figure("at rest, all services: CPU without JIT tiering", total - totalTierUp, "% of a core"));
        return figures;
    }

    /// <summary>The processes the platform runs (the services' instances; with <paramref name="projectsOnly"/> false, Redis, NATS and PostgreSQL too).</summary>
    public static List<(string Name, int Pid)> Processes(TestPlatform platform, bool projectsOnly) =>
        [.. platform.Resources.Where(r => !projectsOnly || r is ProjectResource)
            .SelectMany(resource => platform.InstancesOf(resource.Name))
            .Select(instance => (Name: instance.Resource.Name, Pid: instance.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value))
            .Where(s => s.Pid is not null)
            .Select(s => (s.Name, Pid: Convert.ToInt32(s.Pid, CultureInfo.InvariantCulture)))
            // Set-up steps (migrations, say) have finished.
            .Where(s => Directory.Exists($"/proc/{s.Pid}"))];

    /// <summary>A process's user and system CPU time so far, in ticks of 10 ms.</summary>
    public static long CpuTicks(int pid) => CpuTicks($"/proc/{pid}");

    public static double Seconds(long ticks) => ticks / TicksPerSecond;

    private static double Share(long ticks, int seconds) => ticks / TicksPerSecond / seconds * 100;

    /// <summary>
    /// The CPU of a process's tiered-compilation threads (".NET Tiered Com"), which recompile methods as they become warm:
    /// code that runs every few seconds is still being recompiled many minutes after a start. They come and go, so each
    /// is sampled while it lives.
    /// </summary>
    private sealed class TierUpThreads
    {
        private readonly int _pid;
        private readonly Dictionary<string, (long First, long Last)> _threads = [];

        public TierUpThreads(int pid)
        {
            _pid = pid;
            // The threads there at the start count from now; the ones started later, from their birth.
            foreach (var (task, ticks) in Read())
            {
                _threads[task] = (ticks, ticks);
            }
        }

        public long Ticks => _threads.Values.Sum(t => t.Last - t.First);

        public void Sample()
        {
            foreach (var (task, ticks) in Read())
            {
                _threads[task] = (_threads.TryGetValue(task, out var seen) ? seen.First : 0, ticks);
            }
        }

        private List<(string Task, long Ticks)> Read()
        {
            var threads = new List<(string, long)>();
            foreach (var task in Directory.EnumerateDirectories($"/proc/{_pid}/task"))
            {
                try
                {
                    if (File.ReadAllText($"{task}/comm").TrimEnd() == ".NET Tiered Com")
                    {
                        threads.Add((task, CpuTicks(task)));
                    }
                }
                catch (IOException)
                {
                    // The thread ended between listing and reading.
                }
            }
            return threads;
        }
    }

    // utime and stime, the 14th and 15th fields of /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat (counted after the
    // command name, which may hold spaces).
    private static long CpuTicks(string process)
    {
        var stat = File.ReadAllText($"{process}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
