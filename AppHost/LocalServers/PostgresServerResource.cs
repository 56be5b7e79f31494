namespace AppHost.LocalServers;

/// <summary>
/// Debian's PostgreSQL server run as the <c>postgres</c> OS user. Its connection string is the superuser's, used by the
/// AppHost alone to create roles and databases; services connect to a <see cref="PostgresDatabaseResource"/>.
/// </summary>
public sealed class PostgresServerResource(string name, string command, string workingDirectory, ParameterResource superuserPassword)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    /// <summary>Owns every database and runs migrations; neither superuser nor BYPASSRLS.</summary>
    public const string OwnerRole = "platform_owner";

    /// <summary>What services connect as: neither superuser nor BYPASSRLS, so row-level security applies to it.</summary>
    public const string AppRole = "platform_app";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ParameterResource SuperuserPassword { get; } = superuserPassword;

    public required ParameterResource OwnerPassword { get; init; }

    public required ParameterResource AppPassword { get; init; }

    public List<PostgresDatabaseResource> Databases { get; } = [];

    public ReferenceExpression ConnectionStringExpression => ConnectionStringFor("postgres", "postgres", SuperuserPassword);

    internal ReferenceExpression ConnectionStringFor(string database, string role, ParameterResource password) =>
        ReferenceExpression.Create(
            $"Host={PrimaryEndpoint.Property(EndpointProperty.IPV4Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Database={database};Username={role};Password={password}");
}
