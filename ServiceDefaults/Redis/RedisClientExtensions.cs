using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

// The registration Aspire.StackExchange.Redis would give: one multiplexer per connection name.
public static class RedisClientExtensions
{
    private const string SettingsSection = "Aspire:StackExchange:Redis";

    public static void AddRedisClient(this IHostApplicationBuilder builder, string connectionName, Action<RedisSettings>? configure = null)
    {
        var settings = new RedisSettings();
        builder.Configuration.GetSection(SettingsSection).Bind(settings);
        builder.Configuration.GetSection($"{SettingsSection}:{connectionName}").Bind(settings);
        settings.ConnectionString ??= builder.Configuration.GetConnectionString(connectionName);
        configure?.Invoke(settings);

        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException($"Redis has no connection string: set 'ConnectionStrings:{connectionName}'.");
        }

        var options = ConfigurationOptions.Parse(settings.ConnectionString);
        // Start and keep running while Redis is away; the multiplexer reconnects on its own.
        options.AbortOnConnectFail = false;
        options.ClientName ??= builder.Environment.ApplicationName;

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        if (!settings.DisableTracing)
        {
            // Created with the tracer provider, so profiling starts with the first traced command.
            builder.Services.AddSingleton<RedisTracing>();
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
                .AddSource(RedisTracing.ActivitySourceName)
                .AddInstrumentation(services => services.GetRequiredService<RedisTracing>()));
        }

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                connectionName,
                services => new RedisHealthCheck(services.GetRequiredService<IConnectionMultiplexer>()),
                settings.HealthCheckFailureStatus,
                tags: null,
                timeout: settings.HealthCheckTimeout));
        }
    }
}
