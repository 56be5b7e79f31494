using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.OpenTelemetry;

namespace Platform.Messaging;

/// <summary>
/// The registration Aspire.NATS.Net gives (that package is not served here): a NATS connection from
/// <c>ConnectionStrings:{name}</c>, with its health check, tracing and metrics.
/// </summary>
public static class NatsClientExtensions
{
    private const string SettingsSection = "Aspire:Nats:Client";

    public static void AddNatsClient(this IHostApplicationBuilder builder, string connectionName, Action<NatsClientSettings>? configureSettings = null)
    {
        var settings = new NatsClientSettings();
        var section = builder.Configuration.GetSection(SettingsSection);
        section.Bind(settings);
        section.GetSection(connectionName).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { } connectionString)
        {
            settings.ConnectionString = connectionString;
        }
        configureSettings?.Invoke(settings);

        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException($"NATS has no connection string: set 'ConnectionStrings:{connectionName}'.");
        }

        var options = ToOptions(settings.ConnectionString, builder.Environment.ApplicationName);
        builder.Services.AddSingleton(services =>
            new NatsConnection(options with { LoggerFactory = services.GetRequiredService<ILoggerFactory>() }));
        builder.Services.AddSingleton<INatsConnection>(services => services.GetRequiredService<NatsConnection>());

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                "NATS",
                services => new NatsHealthCheck(services.GetRequiredService<INatsConnection>()),
                HealthStatus.Unhealthy,
                tags: null,
                timeout: settings.HealthCheckTimeout));
        }
        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddNatsClientInstrumentation())
                .WithMetrics(metrics => metrics.AddNatsClientInstrumentation());
        }
    }

    /// <summary>The JetStream context over the connection <see cref="AddNatsClient"/> registered.</summary>
    public static void AddNatsJetStream(this IHostApplicationBuilder builder) =>
        builder.Services.TryAddSingleton<INatsJSContext>(services => new NatsJSContext(services.GetRequiredService<NatsConnection>()));

    internal static NatsOpts ToOptions(string connectionString, string clientName)
    {
        var uri = new Uri(connectionString);
        var auth = NatsAuthOpts.Default;
        if (uri.UserInfo.Split(':', 2) is [var user, var password])
        {
            auth = auth with { Username = Uri.UnescapeDataString(user), Password = Uri.UnescapeDataString(password) };
        }
        return NatsOpts.Default with
        {
            Url = new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString(),
            AuthOpts = auth,
            Name = clientName,
        };
    }
}
