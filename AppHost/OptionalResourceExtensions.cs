using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AppHost;

public static class OptionalResourceExtensions
{
    /// <summary>
    /// Qdrant reached by <c>ConnectionStrings:{name}</c> (<c>Endpoint=http://host:6333;Key=…</c>, or a bare URL), or null when
    /// that is not configured. The AppHost shows its health (<c>/healthz</c>); it never starts or stops it.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddQdrantIfConfigured(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.Configuration.GetConnectionString(name) is not { Length: > 0 } connectionString)
        {
            return null;
        }
        var endpoint = QdrantEndpoint(name, connectionString);
        var healthCheck = $"{name}-check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
            services => new HttpHealthCheck(services.GetRequiredService<IHttpClientFactory>(), new Uri(endpoint, "/healthz")),
            failureStatus: null, tags: null, timeout: TimeSpan.FromSeconds(3)));
        return builder.AddConnectionString(name).WithHealthCheck(healthCheck);
    }

    /// <summary>An external service at the URL in <c>ExternalServices:{name}</c>, or null when that is not configured.</summary>
    public static IResourceBuilder<ExternalServiceResource>? AddExternalServiceIfConfigured(this IDistributedApplicationBuilder builder, string name, string healthPath) =>
        builder.Configuration[$"ExternalServices:{name}"] is { Length: > 0 } url
            ? builder.AddExternalService(name, url).WithHttpHealthCheck(healthPath)
            : null;

    private static Uri QdrantEndpoint(string name, string connectionString)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var bare))
        {
            return bare;
        }
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return parsed.TryGetValue("Endpoint", out var value) && Uri.TryCreate(value?.ToString(), UriKind.Absolute, out var endpoint)
            ? endpoint
            : throw new DistributedApplicationException($"ConnectionStrings:{name} has no Endpoint=<url>.");
    }

    private sealed class HttpHealthCheck(IHttpClientFactory clients, Uri probe) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            using var http = clients.CreateClient();
            try
            {
                using var response = await http.GetAsync(probe, cancellationToken);
                return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"{probe.AbsolutePath} answered {(int)response.StatusCode}");
            }
            catch (HttpRequestException ex)
            {
                return HealthCheckResult.Unhealthy($"unreachable: {ex.Message}");
            }
        }
    }
}
