using System.Text.Json;

namespace Web.Services;

public sealed class GatewayClient(HttpClient http)
{
    /// <summary>The Gateway's own health report: its status and each dependency's.</summary>
    public async Task<GatewayHealth> GetHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("health", UriKind.Relative), cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var checks = body.RootElement.TryGetProperty("checks", out var entries)
                ? entries.EnumerateObject().Select(e => new HealthEntry(e.Name, e.Value.GetProperty("status").GetString() ?? "Unknown")).ToList()
                : [];
            return new GatewayHealth(body.RootElement.GetProperty("status").GetString() ?? "Unknown", checks, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            return new GatewayHealth("Unreachable", [], ex.Message);
        }
    }
}

public sealed record GatewayHealth(string Status, IReadOnlyList<HealthEntry> Checks, string? Error);

public sealed record HealthEntry(string Name, string Status);
