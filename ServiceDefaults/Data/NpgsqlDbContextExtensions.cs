using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

// The registration Aspire.Npgsql.EntityFrameworkCore.PostgreSQL would give, plus the tenant interceptor
// that makes row-level security see the calling tenant on every connection.
public static class NpgsqlDbContextExtensions
{
    private const string SettingsSection = "Aspire:Npgsql:EntityFrameworkCore:PostgreSQL";

    public static void AddNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<NpgsqlSettings>? configure = null) where TContext : DbContext
    {
        var settings = new NpgsqlSettings();
        builder.Configuration.GetSection(SettingsSection).Bind(settings);
        builder.Configuration.GetSection($"{SettingsSection}:{typeof(TContext).Name}").Bind(settings);
        settings.ConnectionString ??= builder.Configuration.GetConnectionString(connectionName);
        configure?.Invoke(settings);

        var connectionString = settings.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"{typeof(TContext).Name} has no connection string: set 'ConnectionStrings:{connectionName}'.");
        }

        builder.Services.AddTenantContext();
        builder.Services.TryAddScoped<TenantConnectionInterceptor>();
        builder.Services.AddDbContext<TContext>((services, options) => options
            .UseNpgsql(connectionString)
            .AddInterceptors(services.GetRequiredService<TenantConnectionInterceptor>()));

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().AddDbContextCheck<TContext>(connectionName);
        }
        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddNpgsql());
        }
        if (!settings.DisableMetrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter("Npgsql"));
        }
    }

    /// <summary>
    /// Applies <typeparamref name="TContext"/>'s migrations at start-up as the database owner, read from
    /// <c>ConnectionStrings:{name}-owner</c>; the service itself connects as the app role, which cannot change the schema.
    /// </summary>
    public static void AddMigrations<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var ownerConnectionString = builder.Configuration.GetConnectionString($"{connectionName}-owner");
        builder.Services.AddHostedService(services =>
            new MigrationHostedService<TContext>(services, ownerConnectionString));
    }
}
