using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace AppHost;

public static class ServiceBuilderExtensions
{
    /// <summary>
    /// One of the platform's services: healthy when its <c>/health</c> says so, on its launch profile's port (Gateway 8000 … Web 5173)
    /// unless <c>Resources:{name}:Port</c> says otherwise, with <c>Resources:{name}:Replicas</c> copies and the settings in
    /// <c>Resources:{name}:Environment</c> (for example <c>Resources__ingestion__Environment__Ingestion__EmbeddingModel</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var replicas = builder.Configuration.GetValue($"Resources:{name}:Replicas", 1);
        var port = builder.Configuration.GetValue<int?>($"Resources:{name}:Port");
        var service = builder.AddProject<TProject>(name)
            .WithHttpHealthCheck("/health")
            // A single process listens on the port itself: DCP's proxy costs a hop (0.13 ms a round trip here) and half the
            // throughput. Replicas share the port through the proxy, which spreads connections over them.
            .WithEndpoint("http", endpoint =>
            {
                endpoint.IsProxied = replicas > 1;
                endpoint.Port = port ?? Ports.Fixed(builder, endpoint.Port);
            });
        if (replicas > 1)
        {
            service.WithReplicas(replicas);
        }
        // DCP would start each service with `dotnet run --no-build`: an MSBuild evaluation per service (tens of seconds for
        // eight on two cores) and a wrapper process that slows every stop. Its build output starts at once instead. An IDE
        // (F5) launches services itself and is left to do so.
        if (builder.Configuration["DEBUG_SESSION_PORT"] is null)
        {
            var project = new TProject().ProjectPath;
            service.WithAnnotation(new ExecutableAnnotation
            {
                Command = Path.Combine(Path.GetDirectoryName(project)!, "bin", BuildConfiguration, "net10.0", Path.GetFileNameWithoutExtension(project)),
                WorkingDirectory = Path.GetDirectoryName(project)!,
            });
        }
        // Without the dashboard (tests, benchmarks) Aspire still points services at a default collector where nothing listens:
        // every span recorded, exported, refused and retried took a third of the request path's CPU. Such services export
        // nothing (ServiceDefaults then records no spans; trace context still flows).
        service.WithEnvironment(context =>
        {
            if (context.EnvironmentVariables.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var collector) && collector is not EndpointReference)
            {
                foreach (var setting in context.EnvironmentVariables.Keys.Where(k => k.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal)).ToList())
                {
                    context.EnvironmentVariables.Remove(setting);
                }
            }
        });
        // From an environment variable (Resources__gateway__Environment__Cache__SemanticEnabled) a setting arrives as a path.
        foreach (var (path, value) in builder.Configuration.GetSection($"Resources:{name}:Environment").AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                service.WithEnvironment(path.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }
        return service;
    }

    // The services are built with the AppHost, in its configuration.
    private static string BuildConfiguration =>
        typeof(ServiceBuilderExtensions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>A reference to a resource that exists only when configured.</summary>
    public static IResourceBuilder<ProjectResource> WithOptionalReference(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ExternalServiceResource>? source) =>
        source is null ? project : project.WithReference(source);

    /// <inheritdoc cref="WithOptionalReference(IResourceBuilder{ProjectResource}, IResourceBuilder{ExternalServiceResource}?)"/>
    public static IResourceBuilder<ProjectResource> WithOptionalReference(this IResourceBuilder<ProjectResource> project, IResourceBuilder<IResourceWithConnectionString>? source) =>
        source is null ? project : project.WithReference(source);
}
