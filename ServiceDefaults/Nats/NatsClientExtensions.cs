using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

// The registration Aspire.NATS.Net would give, plus the JetStream context our event bus runs on.
public static class NatsClientExtensions
{
    private const string SettingsSection = "Aspire:Nats:Net";

    public static void AddNatsClient(this IHostApplicationBuilder builder, string connectionName, Action<NatsSettings>? configure = null)
    {
        var settings = new NatsSettings();
        builder.Configuration.GetSection(SettingsSection).Bind(settings);
        builder.Configuration.GetSection($"{SettingsSection}:{connectionName}").Bind(settings);
        settings.ConnectionString ??= builder.Configuration.GetConnectionString(connectionName);
        configure?.Invoke(settings);

        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException($"NATS has no connection string: set 'ConnectionStrings:{connectionName}'.");
        }

        var options = ToOptions(settings.ConnectionString, builder.Environment.ApplicationName);
        builder.Services.AddSingleton(services =>
            new NatsConnection(options with { LoggerFactory = services.GetRequiredService<ILoggerFactory>() }));
        builder.Services.AddSingleton<INatsConnection>(services => services.GetRequiredService<NatsConnection>());
        builder.Services.AddSingleton<INatsJSContext>(services => new NatsJSContext(services.GetRequiredService<NatsConnection>()));

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                connectionName,
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
