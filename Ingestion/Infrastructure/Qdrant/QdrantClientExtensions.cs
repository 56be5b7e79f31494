using Microsoft.Extensions.Diagnostics.HealthChecks;
using Qdrant.Client;

namespace Ingestion.Infrastructure;

/// <summary>
/// The registration Aspire.Qdrant.Client gives (that package is not served here): a singleton <see cref="QdrantClient"/>
/// from <c>ConnectionStrings:{name}</c>, speaking gRPC, with its health check.
/// </summary>
public static class QdrantClientExtensions
{
    private const string SettingsSection = "Aspire:Qdrant:Client";

    public static void AddQdrantClient(this IHostApplicationBuilder builder, string connectionName, Action<QdrantClientSettings>? configureSettings = null)
    {
        var settings = new QdrantClientSettings();
        var section = builder.Configuration.GetSection(SettingsSection);
        section.Bind(settings);
        section.GetSection(connectionName).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { } connectionString)
        {
            settings.ParseConnectionString(connectionString);
        }
        configureSettings?.Invoke(settings);

        var endpoint = settings.Endpoint ?? throw new InvalidOperationException(
            $"Qdrant has no endpoint: set 'ConnectionStrings:{connectionName}' (Endpoint=http://host:6334;Key=…) or '{SettingsSection}:Endpoint'.");
        builder.Services.AddSingleton(services =>
            new QdrantClient(endpoint, settings.Key, loggerFactory: services.GetRequiredService<ILoggerFactory>()));

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                "Qdrant.Client",
                services => new QdrantHealthCheck(services.GetRequiredService<QdrantClient>()),
                HealthStatus.Unhealthy,
                tags: null,
                timeout: settings.HealthCheckTimeout));
        }
    }
}
