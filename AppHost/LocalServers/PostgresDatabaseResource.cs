namespace AppHost.LocalServers;

/// <summary>
/// A database owned by the owner role. A reference gives the app role's connection string; the owner's, for
/// migrations, is given by <see cref="PostgresBuilderExtensions.WithDatabase"/>.
/// </summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource server)
    : Resource(name), IResourceWithParent<PostgresServerResource>, IResourceWithConnectionString
{
    public PostgresServerResource Parent { get; } = server;

    /// <summary>Set once the server has created it and granted the app role its rights.</summary>
    internal bool IsProvisioned { get; set; }

    public ReferenceExpression ConnectionStringExpression =>
        Parent.ConnectionStringFor(Name, PostgresServerResource.AppRole, Parent.AppPassword);

    public ReferenceExpression OwnerConnectionStringExpression =>
        Parent.ConnectionStringFor(Name, PostgresServerResource.OwnerRole, Parent.OwnerPassword);
}
