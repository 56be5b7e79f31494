using Npgsql;

namespace AppHost.Hosting.Resources;

/// <summary>
/// A database on the server, owned by the owner role; the app role may connect and use its tables, and nothing more.
/// A reference gives <c>ConnectionStrings__{name}</c> (app role) and <c>ConnectionStrings__{name}-owner</c> (for migrations).
/// </summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource server) : Resource(name)
{
    public override string Type => "database";

    public PostgresServerResource Server { get; } = server;

    public override string? Url => $"{Server.Url}/{Name}";

    internal override string? GetConnectionString(ResourceContext context) =>
        Server.ConnectionString(context, Name, PostgresServerResource.AppRole);

    internal override void AddReferenceEnvironment(ResourceContext context, IDictionary<string, string> environment)
    {
        base.AddReferenceEnvironment(context, environment);
        environment[$"ConnectionStrings__{Name}-owner"] = Server.ConnectionString(context, Name, PostgresServerResource.OwnerRole);
    }

    internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        State = ResourceState.Starting;
        var app = PostgresServerResource.AppRole;
        var owner = PostgresServerResource.OwnerRole;

        await using (var server = new NpgsqlConnection(Server.ConnectionString(context, "postgres", "postgres")))
        {
            await server.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", server);
            exists.Parameters.AddWithValue("name", Name);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\" OWNER {owner}", server);
                await create.ExecuteNonQueryAsync(cancellationToken);
                context.LogFor(Server).Write($"Created database {Name}.");
            }
        }

        // Tables the owner creates later (migrations) are usable by the app role; existing ones are granted too.
        await using (var database = new NpgsqlConnection(Server.ConnectionString(context, Name, "postgres")))
        {
            await database.OpenAsync(cancellationToken);
            await using var grant = new NpgsqlCommand($"""
                REVOKE ALL ON DATABASE "{Name}" FROM PUBLIC;
                GRANT CONNECT, TEMPORARY ON DATABASE "{Name}" TO {app};
                GRANT USAGE ON SCHEMA public TO {app};
                ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};
                ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app};
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};
                """, database);
            await grant.ExecuteNonQueryAsync(cancellationToken);
        }

        await context.WaitHealthyAsync(this, () => false, cancellationToken);
        State = ResourceState.Running;
    }

    internal override Task StopAsync(ResourceContext context)
    {
        State = ResourceState.Stopped;
        Health = ResourceHealth.Unknown;
        return Task.CompletedTask;
    }

    internal override async Task<HealthReport> CheckHealthAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(GetConnectionString(context) + ";Timeout=3;Pooling=false");
            await connection.OpenAsync(cancellationToken);
            return HealthReport.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthReport.Unhealthy(ex.Message);
        }
    }
}
