using System.Reflection;
using AppHost.Hosting.Resources;
using Microsoft.Extensions.Configuration;

namespace AppHost.Hosting;

/// <summary>Declares the app model, as Aspire's builder does: resources, their references and their start order.</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly List<ParameterResource> _parameters = [];

    internal DistributedApplicationBuilder(string[] args)
    {
        Configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        Options = Configuration.GetSection("AppHost").Get<AppHostOptions>() ?? new AppHostOptions();
    }

    public IConfiguration Configuration { get; }

    public AppHostOptions Options { get; }

    public IResourceBuilder<PostgresServerResource> AddPostgres(string name) => AddResource(new PostgresServerResource(name));

    public IResourceBuilder<RedisResource> AddRedis(string name) => AddResource(new RedisResource(name));

    public IResourceBuilder<NatsResource> AddNats(string name) => AddResource(new NatsResource(name));

    /// <summary>A service project on <paramref name="port"/> (overridable with <c>Resources:{name}:Port</c>).</summary>
    public IResourceBuilder<ProjectResource> AddProject<TProject>(string name, int port) where TProject : IProjectMetadata, new() =>
        AddResource(new ProjectResource(name, new TProject(), port));

    /// <summary>
    /// A parameter from <c>Parameters:{name}</c>; a secret one is generated once when not configured, into
    /// <paramref name="file"/> under the data folder (default <c>secrets/{name}</c>). An announced one is printed at start.
    /// </summary>
    public ParameterResource AddParameter(string name, bool secret = false, Func<string>? generate = null, string? file = null, bool announce = false)
    {
        var parameter = new ParameterResource(name, Configuration[$"Parameters:{name}"], secret, generate ?? SecretStore.NewKey, file ?? $"secrets/{name}", announce);
        _parameters.Add(parameter);
        return parameter;
    }

    /// <summary>An external resource reached by <c>ConnectionStrings:{name}</c>, or null when that is not configured.</summary>
    public IResourceBuilder<ExternalResource>? AddConnectionStringIfConfigured(string name, string healthPath) =>
        Configuration.GetConnectionString(name) is { Length: > 0 } connectionString
            ? AddResource(ExternalResource.FromConnectionString(name, connectionString, healthPath))
            : null;

    /// <summary>An external service at the URL in <c>ExternalServices:{name}</c>, or null when that is not configured.</summary>
    public IResourceBuilder<ExternalResource>? AddExternalServiceIfConfigured(string name, string healthPath) =>
        Configuration[$"ExternalServices:{name}"] is { Length: > 0 } url
            ? AddResource(ExternalResource.FromUrl(name, url, healthPath))
            : null;

    internal IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (_resources.Exists(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }
        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public DistributedApplication Build()
    {
        foreach (var project in _resources.OfType<ProjectResource>())
        {
            project.ReplicaCount = Configuration.GetValue<int?>($"Resources:{project.Name}:Replicas") ?? project.ReplicaCount;
            // One service's own settings, such as Resources:ingestion:Environment:Ingestion__EmbeddingModel; from an
            // environment variable (Resources__gateway__Environment__Cache__SemanticEnabled) the setting arrives as a path.
            foreach (var (path, value) in Configuration.GetSection($"Resources:{project.Name}:Environment").AsEnumerable(makePathsRelative: true))
            {
                if (value is not null)
                {
                    project.Environment.Add((path.Replace(":", "__", StringComparison.Ordinal), _ => value));
                }
            }
        }
        var ports = new PortAllocator(Configuration, Options.RandomPorts);
        foreach (var resource in _resources)
        {
            resource.AssignPorts(ports);
        }
        var dataDirectory = Path.GetFullPath(Options.DataDirectory ?? Path.Combine(RepositoryRoot(), ".data"));
        return new DistributedApplication(Options, dataDirectory, _resources, _parameters, ports.Assigned);
    }

    // The AppHost project's folder is stamped into the assembly at build time, as Aspire does.
    private static string RepositoryRoot()
    {
        var projectDirectory = typeof(DistributedApplicationBuilder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "AppHostProjectDirectory").Value!;
        return Path.GetDirectoryName(projectDirectory)!;
    }
}
