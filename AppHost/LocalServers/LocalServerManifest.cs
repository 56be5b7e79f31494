using Aspire.Hosting.Publishing;

namespace AppHost.LocalServers;

/// <summary>
/// How the local servers appear in the manifest the Kubernetes step reads: as the service they provide
/// (<c>postgres.server.v0</c>, <c>redis.server.v0</c>, <c>nats.server.v0</c>, <c>postgres.database.v0</c>) with their
/// connection strings and ports, not as this machine's command lines.
/// </summary>
internal static class LocalServerManifest
{
    public static IResourceBuilder<T> WithServerManifest<T>(this IResourceBuilder<T> server, string type) where T : IResourceWithConnectionString =>
        server.WithManifestPublishingCallback(context =>
        {
            context.Writer.WriteString("type", type);
            context.WriteConnectionString(server.Resource);
            context.WriteBindings(server.Resource);
        });

    public static IResourceBuilder<PostgresDatabaseResource> WithDatabaseManifest(this IResourceBuilder<PostgresDatabaseResource> database) =>
        database.WithManifestPublishingCallback(context => Write(context, database.Resource));

    private static void Write(ManifestPublishingContext context, PostgresDatabaseResource database)
    {
        context.Writer.WriteString("type", "postgres.database.v0");
        context.Writer.WriteString("parent", database.Parent.Name);
        context.Writer.WriteString("databaseName", database.Name);
        context.WriteConnectionString(database);
        context.TryAddDependentResources(database.OwnerConnectionStringExpression);
        context.Writer.WriteString("ownerConnectionString", database.OwnerConnectionStringExpression.ValueExpression);
    }
}
