using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AppHost.LocalServers;

public static partial class PostgresBuilderExtensions
{
    private const int DefaultPort = 15432;

    /// <summary>
    /// Debian's PostgreSQL on loopback, its cluster under <c>{data}/postgres</c>: a one-shot <c>{name}-init</c> creates
    /// the cluster (or checks the one there), then the server runs as the postgres user; once it is healthy the AppHost
    /// creates the owner and app roles and every database added with <see cref="AddDatabase"/>.
    /// </summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name, DataFolder data)
    {
        var options = builder.Configuration.GetSection("LocalServers").Get<LocalServersOptions>() ?? new();
        var bin = options.PostgresBinDirectory ?? NewestPostgresBin();
        // Resolved when the servers start (never when publishing the manifest), once.
        var cluster = new Lazy<string>(() => Path.Combine(ReachableRoot(data.PathFor(name)), "data"));

        var superuserPassword = builder.AddParameter($"{name}-password", data.Secret($"secrets/{name}-postgres-password"), secret: true);
        var init = builder.AddExecutable($"{name}-init", "bash", data.Path)
            .WithArgs(context =>
            {
                context.Args.Add(Path.Combine(builder.AppHostDirectory, "LocalServers", "postgres-init.sh"));
                context.Args.Add(bin);
                context.Args.Add(cluster.Value);
            })
            .WithEnvironment("POSTGRES_PASSWORD", superuserPassword)
            .ExcludeFromManifest();

        var server = new PostgresServerResource(name, Environment.IsPrivilegedProcess ? "setpriv" : Path.Combine(bin, "postgres"), "/", superuserPassword.Resource)
        {
            OwnerPassword = builder.AddParameter($"{name}-owner-password", data.Secret($"secrets/{name}-{PostgresServerResource.OwnerRole}-password"), secret: true).Resource,
            AppPassword = builder.AddParameter($"{name}-app-password", data.Secret($"secrets/{name}-{PostgresServerResource.AppRole}-password"), secret: true).Resource,
        };

        var healthCheck = $"{name}-check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
            await CanConnectAsync(server.ConnectionStringExpression, cancellationToken));

        return builder.AddResource(server)
            .WithEndpoint(port: Ports.Fixed(builder, DefaultPort), name: PostgresServerResource.EndpointName, isProxied: false)
            .WithArgs(context =>
            {
                if (Environment.IsPrivilegedProcess)
                {
                    context.Args.Add("--reuid=postgres");
                    context.Args.Add("--regid=postgres");
                    context.Args.Add("--init-groups");
                    context.Args.Add("--");
                    context.Args.Add(Path.Combine(bin, "postgres"));
                }
                context.Args.Add("-D");
                context.Args.Add(cluster.Value);
                context.Args.Add("-p");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                foreach (var setting in Settings(options))
                {
                    context.Args.Add("-c");
                    context.Args.Add(setting);
                }
            })
            .WithHealthCheck(healthCheck)
            .WithServerManifest("postgres.server.v0")
            .WaitForCompletion(init)
            .OnResourceReady(static async (server, ready, cancellationToken) =>
            {
                var logger = ready.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
                var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
                await ProvisionAsync(server, logger, notifications, cancellationToken);
            });
    }

    /// <summary>A database the owner role owns and the app role may use (data only: no schema changes).</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server, string name)
    {
        var database = new PostgresDatabaseResource(name, server.Resource);
        server.Resource.Databases.Add(database);

        var healthCheck = $"{name}-check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
            database.IsProvisioned
                ? await CanConnectAsync(database.ConnectionStringExpression, cancellationToken)
                : HealthCheckResult.Unhealthy("Not created yet: waiting for the server."));

        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new(CustomResourceKnownProperties.Source, server.Resource.Name)],
            })
            .WithHealthCheck(healthCheck)
            .WithDatabaseManifest();
    }

    /// <summary>
    /// The database as the app role (<c>ConnectionStrings__{name}</c>) and as its owner (<c>ConnectionStrings__{name}-owner</c>),
    /// with which the service migrates its schema at start-up.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDatabase(this IResourceBuilder<ProjectResource> project, IResourceBuilder<PostgresDatabaseResource> database) =>
        project.WithReference(database)
            .WithEnvironment($"ConnectionStrings__{database.Resource.Name}-owner", database.Resource.OwnerConnectionStringExpression);

    private static string[] Settings(LocalServersOptions options)
    {
        string[] always = ["listen_addresses=127.0.0.1", "unix_socket_directories=", "max_connections=300"];
        string[] fast = ["fsync=off", "synchronous_commit=off", "full_page_writes=off"];
        return options.FastPostgres ? [.. always, .. fast] : always;
    }

    // Idempotent: the roles exist after the first run, their passwords follow the data folder's secrets.
    private static async Task ProvisionAsync(PostgresServerResource server, ILogger logger, ResourceNotificationService notifications, CancellationToken cancellationToken)
    {
        var (owner, app) = (PostgresServerResource.OwnerRole, PostgresServerResource.AppRole);
        await using (var connection = await OpenAsync(server.ConnectionStringExpression, cancellationToken))
        {
            await ExecuteAsync(connection, $"""
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN CREATE ROLE {owner}; END IF;
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app}') THEN CREATE ROLE {app}; END IF;
                END $$;
                ALTER ROLE {owner} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '{await server.OwnerPassword.GetValueAsync(cancellationToken)}';
                ALTER ROLE {app} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '{await server.AppPassword.GetValueAsync(cancellationToken)}';
                """, cancellationToken);
            foreach (var database in server.Databases)
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
                exists.Parameters.AddWithValue("name", database.Name);
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    await ExecuteAsync(connection, $"CREATE DATABASE \"{database.Name}\" OWNER {owner}", cancellationToken);
                    Log.DatabaseCreated(logger, database.Name);
                }
            }
        }

        // Tables the owner creates later (migrations) are usable by the app role; existing ones are granted too.
        foreach (var database in server.Databases)
        {
            var superuser = new NpgsqlConnectionStringBuilder(await server.ConnectionStringExpression.GetValueAsync(cancellationToken)) { Database = database.Name };
            await using var connection = await OpenAsync(superuser.ConnectionString, cancellationToken);
            await ExecuteAsync(connection, $"""
                REVOKE ALL ON DATABASE "{database.Name}" FROM PUBLIC;
                GRANT CONNECT, TEMPORARY ON DATABASE "{database.Name}" TO {app};
                GRANT USAGE ON SCHEMA public TO {app};
                ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};
                ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app};
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};
                """, cancellationToken);
            database.IsProvisioned = true;
            // A database has no process of its own: it runs once it exists, and its health check takes it from there.
            await notifications.PublishUpdateAsync(database, state => state with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
        }
    }

    private static async Task<HealthCheckResult> CanConnectAsync(ReferenceExpression connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(await connectionString.GetValueAsync(cancellationToken) ?? "", cancellationToken);
            return HealthCheckResult.Healthy($"PostgreSQL {connection.ServerVersion}");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(ReferenceExpression connectionString, CancellationToken cancellationToken) =>
        await OpenAsync(await connectionString.GetValueAsync(cancellationToken) ?? "", cancellationToken);

    // The AppHost's own sessions are few and unpooled, so none survives a restart of the server as a dead connection.
    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string NewestPostgresBin() =>
        (Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null) is { } version
            ? Path.Combine(version, "bin")
            : "/usr/lib/postgresql/<version>/bin";

    /// <summary>
    /// The folder the cluster lives in: <paramref name="root"/> when the postgres user can reach it; otherwise (a checkout
    /// under a private folder) a folder under /var/lib/postgresql that <paramref name="root"/> links to.
    /// </summary>
    private static string ReachableRoot(string root)
    {
        if (new FileInfo(root).LinkTarget is { } target)
        {
            return target;
        }
        Directory.CreateDirectory(root);
        if (!Environment.IsPrivilegedProcess || CanPostgresReach(root))
        {
            return root;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(root))))[..12];
        var elsewhere = Path.Combine("/var/lib/postgresql/ai-platform", hash);
        Directory.CreateDirectory(elsewhere);
        Directory.Delete(root);
        Directory.CreateSymbolicLink(root, elsewhere);
        return elsewhere;
    }

    private static bool CanPostgresReach(string path)
    {
        using var probe = Process.Start(new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "test", "-x", path]));
        probe!.WaitForExit();
        return probe.ExitCode == 0;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created database {Database}.")]
        public static partial void DatabaseCreated(ILogger logger, string database);
    }
}
