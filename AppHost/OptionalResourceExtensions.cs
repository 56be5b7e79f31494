using System.Data.Common;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Qdrant.Client;

namespace AppHost;

public static class OptionalResourceExtensions
{
    /// <summary>
    /// Qdrant reached by <c>ConnectionStrings:{name}</c> (its gRPC endpoint: <c>Endpoint=http://host:6334;Key=…</c>, or a
    /// bare URL), or null when that is not configured. The AppHost shows its health (Qdrant's gRPC health check, as
    /// Aspire.Hosting.Qdrant does); it never starts or stops it.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddQdrantIfConfigured(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.Configuration.GetConnectionString(name) is not { Length: > 0 } connectionString)
        {
            return null;
        }
        var (endpoint, key) = QdrantConnection(name, connectionString);
        var healthCheck = $"{name}-check";
        builder.Services.AddKeyedSingleton(name, (_, _) => new QdrantClient(endpoint, key));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
            services => new QdrantHealthCheck(services.GetRequiredKeyedService<QdrantClient>(name)),
            failureStatus: null, tags: null, timeout: TimeSpan.FromSeconds(3)));
        return builder.AddConnectionString(name).WithHealthCheck(healthCheck);
    }

    /// <summary>An external service at the URL in <c>ExternalServices:{name}</c>, or null when that is not configured.</summary>
    public static IResourceBuilder<ExternalServiceResource>? AddExternalServiceIfConfigured(this IDistributedApplicationBuilder builder, string name, string healthPath) =>
        builder.Configuration[$"ExternalServices:{name}"] is { Length: > 0 } url
            ? builder.AddExternalService(name, url).WithHttpHealthCheck(healthPath)
            : null;

    private static (Uri Endpoint, string? Key) QdrantConnection(string name, string connectionString)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var bare))
        {
            return (bare, null);
        }
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return parsed.TryGetValue("Endpoint", out var value) && Uri.TryCreate(value?.ToString(), UriKind.Absolute, out var endpoint)
            ? (endpoint, parsed.TryGetValue("Key", out var key) ? key?.ToString() : null)
            : throw new DistributedApplicationException($"ConnectionStrings:{name} has no Endpoint=<url>.");
    }

    private sealed class QdrantHealthCheck(QdrantClient client) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var reply = await client.HealthAsync(cancellationToken);
                return HealthCheckResult.Healthy($"{reply.Title} {reply.Version}");
            }
            catch (RpcException ex)
            {
                return HealthCheckResult.Unhealthy($"Qdrant answered {ex.StatusCode}: {ex.Status.Detail}", ex);
            }
        }
    }
}
