using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Platform.Catalog;
using Platform.Testing;
using Platform.Testing.Mocks;

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
        await using var mock = await MockOpenAiServer.StartAsync();
        var settings = new PlatformSettings { ServiceEnvironment = "Production" };
        settings.Providers["mock"] = new ProviderOptions { Kind = ProviderKinds.OpenAi, BaseUrl = mock.BaseUrl, ApiKey = "sk-mock", Models = [new() { Id = "mock-1" }] };
        Console.WriteLine("Starting the platform (Production environment, throwaway data)…");
        await using var platform = await TestPlatform.StartAsync(settings);
        Figures.WriteRun("idle", await MeasureAsync(platform, seconds));
    }

    public static async Task<List<Figure>> MeasureAsync(TestPlatform platform, int seconds)
    {
        Console.WriteLine($"At rest: settling {Settle.TotalSeconds:0} s, then measuring {seconds} s with no traffic…");
        await Task.Delay(Settle);
        var services = platform.Resources.OfType<ProjectResource>()
            .SelectMany(service => platform.InstancesOf(service.Name))
            .Select(instance => (Name: instance.Resource.Name, Pid: instance.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value))
            .Where(s => s.Pid is not null)
            .Select(s => (s.Name, Pid: Convert.ToInt32(s.Pid, CultureInfo.InvariantCulture)))
            .ToList();
        var before = services.ToDictionary(s => s.Pid, s => CpuTicks(s.Pid));
        await Task.Delay(TimeSpan.FromSeconds(seconds));

        var figures = new List<Figure>();
        foreach (var (name, pid) in services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var share = (CpuTicks(pid) - before[pid]) / TicksPerSecond / seconds * 100;
            figures.Add(new Figure($"at rest, {name}: CPU", share, "% of a core", Context: true));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-14} {share,6:0.00} % of a core"));
        }
        var total = figures.Sum(f => f.Value);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"all services",-14} {total,6:0.00} % of a core (goal ≤ 2 %)"));
        figures.Add(new Figure("at rest, all services: CPU", total, "% of a core"));
        return figures;
    }

    // utime and stime, the 14th and 15th fields of /proc/<pid>/stat (counted after the command name, which may hold spaces).
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
