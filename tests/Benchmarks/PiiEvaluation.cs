using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Platform.Guardrails;

namespace Benchmarks;

/// <summary>
/// <see cref="PiiScanner"/> on the labelled texts of <c>Data/pii.jsonl</c> (made by <c>eng/generate-pii-set.py</c>:
/// positives of every entity in varied formats with valid checksums, and look-alike negatives). A finding counts when
/// a labelled span of its entity overlaps it. Prints precision and recall per entity (goal ≥ 0.95 each on the
/// structured ones), then the time one scan of a 2 KB prompt takes (goal p99 ≤ 2 ms).
/// Usage: <c>dotnet run -c Release --project tests/Benchmarks -- pii-eval [--show]</c> (<c>--show</c> lists the misses and false finds).
/// </summary>
public static class PiiEvaluation
{
    private static readonly PiiEntity[] Structured = [PiiEntity.Email, PiiEntity.Phone, PiiEntity.CreditCard, PiiEntity.Iban, PiiEntity.UsSsn, PiiEntity.IpAddress, PiiEntity.Secret];

    public static void Run(string[] args)
    {
        var show = args.Contains("--show");
        var examples = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "pii.jsonl"))
            .Select(line => JsonSerializer.Deserialize<Example>(line, JsonSerializerOptions.Web)!).ToList();
        var counts = Enum.GetValues<PiiEntity>().ToDictionary(e => e, _ => (Found: 0, Wrong: 0, Labelled: 0));
        foreach (var example in examples)
        {
            var findings = PiiScanner.Scan(example.Text);
            foreach (var label in example.Entities)
            {
                var entity = Enum.Parse<PiiEntity>(label.Type);
                var hit = findings.Any(f => f.Entity == entity && f.Start < label.End && label.Start < f.End);
                var c = counts[entity];
                counts[entity] = (c.Found + (hit ? 1 : 0), c.Wrong, c.Labelled + 1);
                if (!hit && show)
                {
                    Console.WriteLine($"missed {entity}: {example.Text[label.Start..label.End]}  in  {example.Text}");
                }
            }
            foreach (var finding in findings.Where(f => !example.Entities.Any(l => l.Type == f.Entity.ToString() && f.Start < l.End && l.Start < f.End)))
            {
                var c = counts[finding.Entity];
                counts[finding.Entity] = (c.Found, c.Wrong + 1, c.Labelled);
                if (show)
                {
                    Console.WriteLine($"false {finding.Entity}: {example.Text.Substring(finding.Start, finding.Length)}  in  {example.Text}");
                }
            }
        }

        Console.WriteLine($"{examples.Count} texts, {examples.Count(e => e.Entities.Count == 0)} of them with no personal data.");
        Console.WriteLine();
        Console.WriteLine("| entity | labelled | found | false finds | precision | recall | goal |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var figures = new List<Figure>();
        foreach (var (entity, (found, wrong, labelled)) in counts)
        {
            var precision = found + wrong == 0 ? 1 : (double)found / (found + wrong);
            var recall = labelled == 0 ? 1 : (double)found / labelled;
            var structured = Structured.Contains(entity);
            var met = precision >= 0.95 && recall >= 0.95;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {entity} | {labelled} | {found} | {wrong} | {precision:0.000} | {recall:0.000} | {(structured ? met ? "≥ 0.95: met" : "≥ 0.95: **missed**" : "")} |"));
            figures.Add(new($"pii: {entity} precision", precision, "ratio"));
            figures.Add(new($"pii: {entity} recall", recall, "ratio"));
        }

        // A 2 KB prompt: prose with a few entities among it, scanned over and over.
        var prompt = new StringBuilder();
        while (prompt.Length < 2048)
        {
            prompt.Append("Please summarise the quarterly report for the board and draft a reply to the customer who wrote in last week. ");
            prompt.Append("They can be reached at jane.doe@example.com or +44 20 7031 3000, and paid with card 4111 1111 1111 1111. ");
        }
        var text = prompt.ToString(0, 2048);
        for (var i = 0; i < 1_000; i++)
        {
            PiiScanner.Scan(text);
        }
        var times = new double[10_000];
        for (var i = 0; i < times.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            PiiScanner.Scan(text);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(times);
        var (p50, p99) = (times[times.Length / 2], times[(int)(times.Length * 0.99)]);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"One scan of a 2 KB prompt: p50 {p50:0.000} ms, p99 {p99:0.000} ms (goal p99 ≤ 2 ms: {(p99 <= 2 ? "met" : "missed")})."));
        figures.Add(new("pii: 2 KB prompt scan p50", p50, "ms"));
        figures.Add(new("pii: 2 KB prompt scan p99", p99, "ms"));
        Figures.WriteRun("pii-eval", figures);
    }

    private sealed record Example(string Text, List<Label> Entities);

    private sealed record Label(string Type, int Start, int End);
}
