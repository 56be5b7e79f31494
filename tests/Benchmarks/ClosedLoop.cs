using System.Diagnostics;

namespace Benchmarks;

/// <summary>
/// What a closed loop measured: <c>concurrency</c> clients, each sending its next request as soon as its last one is
/// answered, for a while. <paramref name="Latencies"/> are in ms, sorted.
/// </summary>
public sealed record ClosedLoop(double[] Latencies, double Rate, int Errors)
{
    public int Requests => Latencies.Length;

    /// <summary>Runs the loop; a <paramref name="request"/> says how long it took in ms (to what: a stream's first byte, say) and whether it succeeded.</summary>
    public static async Task<ClosedLoop> RunAsync(int concurrency, TimeSpan duration, Func<Task<(double Milliseconds, bool Ok)>> request)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            while (clock.Elapsed < duration)
            {
                var (milliseconds, ok) = await request();
                mine.Add(milliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new ClosedLoop(all, all.Length / clock.Elapsed.TotalSeconds, errors);
    }

    public double Percentile(double share) => Percentile(Latencies, share);

    /// <summary>The value below which <paramref name="share"/> of <paramref name="sorted"/> lies (0.5: the median).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double share) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * share))];
}
