using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Platform.Tenancy;

public static class TenantDbContextExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TContext"/> on <c>ConnectionStrings:{connectionName}</c> with the tenant interceptor,
    /// so row-level security sees the calling tenant on every connection, and Aspire's health check, tracing and metrics.
    /// </summary>
    public static void AddTenantDbContext<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"{typeof(TContext).Name} has no connection string: set 'ConnectionStrings:{connectionName}'.");
        }

        builder.Services.AddTenantContext();
        builder.Services.TryAddScoped<TenantConnectionInterceptor>();
        // Not Aspire's AddNpgsqlDbContext: a pooled context's options serve every request, the interceptor only its own.
        builder.Services.AddDbContext<TContext>((services, options) => options
            .UseNpgsql(connectionString)
            .AddInterceptors(services.GetRequiredService<TenantConnectionInterceptor>()));
        // The services open transactions themselves, which a retrying execution strategy refuses: a failed unit of
        // work fails whole, and its caller (a request, a redelivered event) tries again.
        builder.EnrichNpgsqlDbContext<TContext>(settings => settings.DisableRetry = true);
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
