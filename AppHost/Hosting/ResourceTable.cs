using System.Text;

namespace AppHost.Hosting;

// The console's view of the app: what runs, whether it is healthy, and where to reach it.
internal static class ResourceTable
{
    public static string Render(IEnumerable<Resource> resources)
    {
        string[] header = ["Resource", "Type", "State", "Health", "URL"];
        var rows = resources
            .Select(r => new[] { r.Name, r.Type, r.State.ToString(), r.Health.ToString(), r.Url ?? "" })
            .Prepend(header)
            .ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Max(row => row[i].Length)).ToArray();

        var table = new StringBuilder().AppendLine();
        foreach (var row in rows)
        {
            table.Append("  ");
            for (var i = 0; i < row.Length; i++)
            {
                table.Append(row[i].PadRight(widths[i] + 2));
            }
            table.AppendLine();
        }
        return table.ToString();
    }
}
