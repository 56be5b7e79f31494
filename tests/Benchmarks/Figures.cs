using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Benchmarks;

/// <summary>
/// One measured figure. Lower is better unless the unit is a rate. Context figures (the mock alone, say) describe the
/// machine on the day and are shown, never judged.
/// </summary>
public sealed record Figure(string Name, double Value, string Unit, bool Context = false)
{
    [JsonIgnore]
    public bool HigherIsBetter => Unit is "RPS" or "runs/s";

    /// <summary>How much worse than <paramref name="accepted"/> this is, as a share (0.25: 25 % worse); negative when better.</summary>
    public double WorseBy(double accepted) =>
        accepted == 0 ? 0 : HigherIsBetter ? (accepted - Value) / accepted : (Value - accepted) / accepted;
}

/// <summary>Figures as JSON: each run's in <c>BenchmarkResults/</c>, the accepted ones in <c>tests/Benchmarks/baseline.json</c>.</summary>
public static class Figures
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string BaselinePath => Path.Combine(SourceDirectory(), "baseline.json");

    public static void Write(string path, IEnumerable<Figure> figures)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(figures.ToList(), Json));
        Console.WriteLine($"Figures written to {Path.GetFullPath(path)}.");
    }

    /// <summary>This run's figures under <c>BenchmarkResults/{name}-{time}.json</c>.</summary>
    public static void WriteRun(string name, IEnumerable<Figure> figures) =>
        Write(Path.Combine("BenchmarkResults", $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json"), figures);

    public static List<Figure> Read(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<List<Figure>>(File.ReadAllText(path), Json) ?? [] : [];

    public static string Format(double value) => value.ToString(value >= 100 ? "0" : "0.000", CultureInfo.InvariantCulture);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
