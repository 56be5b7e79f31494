using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Tenancy;

// Runs before the server starts listening, so a service never answers on an old schema.
internal sealed partial class MigrationHostedService<TContext>(IServiceProvider services, string? ownerConnectionString)
    : IHostedService where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILogger<MigrationHostedService<TContext>>>();
        if (string.IsNullOrWhiteSpace(ownerConnectionString))
        {
            Log.MigrationsSkipped(logger, typeof(TContext).Name);
            return;
        }

        var options = new DbContextOptionsBuilder<TContext>().UseNpgsql(ownerConnectionString).Options;
        await using var context = ActivatorUtilities.CreateInstance<TContext>(services, options);
        // Replicas start together: a session-level advisory lock lets one migrate while the others wait, then find nothing to do.
        await context.Database.OpenConnectionAsync(cancellationToken);
        var lockKey = typeof(TContext).FullName!.Aggregate(17L, (hash, c) => unchecked(hash * 31 + c));
        await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({lockKey})", cancellationToken);
        try
        {
            await context.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockKey})", CancellationToken.None);
        }
        Log.Migrated(logger, typeof(TContext).Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "No owner connection string for {Context}: migrations are left to the operator.")]
        public static partial void MigrationsSkipped(ILogger logger, string context);

        [LoggerMessage(2, LogLevel.Information, "{Context} is migrated to the latest schema.")]
        public static partial void Migrated(ILogger logger, string context);
    }
}
