using AppHost.Hosting.Resources;

namespace AppHost.Hosting;

public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server, string name)
    {
        var database = server.ApplicationBuilder.AddResource(new PostgresDatabaseResource(name, server.Resource));
        database.Resource.WaitsFor.Add(server.Resource);
        server.Resource.Databases.Add(database.Resource);
        return database;
    }

    public static IResourceBuilder<NatsResource> WithJetStream(this IResourceBuilder<NatsResource> nats)
    {
        nats.Resource.JetStream = true;
        return nats;
    }

    /// <summary>
    /// Gives the project what <paramref name="source"/> offers: a connection string or a service address.
    /// An optional resource that is not configured (null) is skipped.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> project, IResourceBuilder<Resource>? source)
    {
        if (source is not null)
        {
            project.Resource.References.Add(source.Resource);
        }
        return project;
    }

    /// <summary>Starts the resource only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> resource, IResourceBuilder<Resource> dependency) where T : Resource
    {
        resource.Resource.WaitsFor.Add(dependency.Resource);
        return resource;
    }

    /// <summary>Runs <paramref name="replicas"/> copies of the service, each on its own port.</summary>
    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> project, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        project.Resource.ReplicaCount = replicas;
        return project;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> project, string name, string value)
    {
        project.Resource.Environment.Add((name, _ => value));
        return project;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> project, string name, ParameterResource parameter)
    {
        project.Resource.Environment.Add((name, parameter.GetValue));
        return project;
    }
}
