using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Services;

/// <summary>
/// The platform's health as operators see it: this Gateway's own checks, and <c>GET /health</c> of every service at
/// every address service discovery gives it (<c>services:{name}:http:{i}</c>: a replica's own, or the proxy Aspire
/// puts in front of several), all at once.
/// </summary>
public sealed class PlatformHealthProbe(HttpClient http, HealthCheckService checks, IConfiguration configuration)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<PlatformHealth> CheckAsync(string selfUrl, CancellationToken cancellationToken)
    {
        var services = configuration.GetSection("services").GetChildren()
            .SelectMany(service => service.GetSection("http").GetChildren()
                .Where(endpoint => !string.IsNullOrEmpty(endpoint.Value))
                .Select(endpoint => CheckServiceAsync(service.Key, endpoint.Value!, cancellationToken)));
        var resources = await Task.WhenAll(services.Prepend(CheckSelfAsync(selfUrl, cancellationToken)));
        return new(resources.All(r => r.Status == ResourceHealth.Healthy) ? "healthy" : "degraded", resources);
    }

    private async Task<ResourceHealth> CheckSelfAsync(string url, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(cancellationToken);
        return new("gateway", url, report.Status == HealthStatus.Healthy ? ResourceHealth.Healthy : ResourceHealth.Unhealthy,
            string.Join(", ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status}")));
    }

    private async Task<ResourceHealth> CheckServiceAsync(string name, string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.GetAsync(new Uri(new Uri(url), "/health"), timeout.Token);
            using var report = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(timeout.Token));
            // Degraded answers 200: the service works on without something it can spare.
            var status = !response.IsSuccessStatusCode ? ResourceHealth.Unhealthy : report.RootElement.GetProperty("status").GetString() switch
            {
                nameof(HealthStatus.Healthy) => ResourceHealth.Healthy,
                nameof(HealthStatus.Degraded) => ResourceHealth.Degraded,
                _ => ResourceHealth.Unhealthy,
            };
            return new(name, url, status,
                string.Join(", ", report.RootElement.GetProperty("checks").EnumerateObject().Select(c => $"{c.Name}: {c.Value.GetProperty("status").GetString()}")));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(name, url, ResourceHealth.Unreachable, $"No answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException ex)
        {
            return new(name, url, ResourceHealth.Unreachable, ex.Message);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new(name, url, ResourceHealth.Unhealthy, "Its /health answer is not the platform's health report.");
        }
    }
}

public sealed record PlatformHealth(string Status, IReadOnlyList<ResourceHealth> Resources);

public sealed record ResourceHealth(string Name, string Url, string Status, string? Description)
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";
    public const string Unreachable = "unreachable";
}
