using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Benchmarks;

/// <summary>
/// The regression guard: measures the platform at rest, under load and the Gateway's hot-path code, and compares each
/// figure with the accepted one in <c>baseline.json</c>; more than 20 % worse is flagged and the exit code is 1.
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- compare [seconds per load scenario, default 10] [--accept]</c>
/// (<c>--accept</c> makes this run's figures the baseline). Not a test: CI does not run it.
/// </summary>
public static class Compare
{
    private const double Tolerance = 0.20;

    public static async Task<int> RunAsync(string[] args)
    {
        var accept = args.Contains("--accept");
        var seconds = args.FirstOrDefault(a => a.All(char.IsDigit)) is { } given ? int.Parse(given, CultureInfo.InvariantCulture) : 10;

        var figures = await LoadRunner.MeasureAsync(seconds, "", idleSeconds: 30);
        figures.AddRange(HotPath());
        Figures.WriteRun("compare", figures);

        var baseline = Figures.Read(Figures.BaselinePath).ToDictionary(f => f.Name);
        Console.WriteLine();
        Console.WriteLine($"| figure | unit | baseline | now | change |{Environment.NewLine}|---|---|---|---|---|");
        var regressions = 0;
        foreach (var figure in figures)
        {
            var change = "new";
            if (baseline.TryGetValue(figure.Name, out var accepted))
            {
                var worse = figure.WorseBy(accepted.Value);
                var flagged = !figure.Context && worse > Tolerance;
                regressions += flagged ? 1 : 0;
                change = string.Create(CultureInfo.InvariantCulture, $"{(worse > 0 ? "worse" : "better")} by {Math.Abs(worse):0%}{(flagged ? " **REGRESSION**" : figure.Context ? " (context)" : "")}");
            }
            Console.WriteLine($"| {figure.Name} | {figure.Unit} | {(accepted is null ? "" : Figures.Format(accepted.Value))} | {Figures.Format(figure.Value)} | {change} |");
        }

        if (accept)
        {
            Figures.Write(Figures.BaselinePath, figures);
            Console.WriteLine("These figures are now the baseline.");
            return 0;
        }
        Console.WriteLine(regressions == 0 ? "No figure is more than 20 % worse than the baseline." : $"{regressions} figure(s) more than 20 % worse than the baseline.");
        return regressions == 0 ? 0 : 1;
    }

    /// <summary>The Gateway's per-request code, by BenchmarkDotNet (a medium run, as a short one is too noisy here: medians in ns and bytes per call).</summary>
    private static IEnumerable<Figure> HotPath()
    {
        var summary = BenchmarkRunner.Run<GatewayHotPathBenchmarks>(DefaultConfig.Instance.AddJob(Job.MediumRun.WithId("compare")));
        foreach (var report in summary.Reports.Where(r => r.ResultStatistics is not null))
        {
            var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            yield return new Figure($"hot path, {name}: median", report.ResultStatistics!.Median, "ns");
            if (report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) is { } bytes)
            {
                yield return new Figure($"hot path, {name}: allocated", bytes, "bytes");
            }
        }
    }
}
