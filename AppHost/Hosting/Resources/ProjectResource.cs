using System.Diagnostics;
using System.Net;

namespace AppHost.Hosting.Resources;

/// <summary>
/// A service of ours, started from its build output (never <c>dotnet run</c>) with Aspire's environment:
/// its URL, <c>OTEL_*</c>, and what its references give (<c>ConnectionStrings__*</c>, <c>services__*</c>).
/// </summary>
public sealed class ProjectResource(string name, IProjectMetadata project, int defaultPort) : ProcessResource(name)
{
    public override string Type => "project";

    public IProjectMetadata Project { get; } = project;

    private readonly List<int> _ports = [];

    public override int Replicas => ReplicaCount;

    /// <summary>Set by <c>WithReplicas</c> or <c>Resources:{name}:Replicas</c>.</summary>
    public int ReplicaCount { get; internal set; } = 1;

    public override string? Url => Urls[0];

    /// <summary>Every replica's address; the first is the resource's own.</summary>
    public IReadOnlyList<string> Urls => [.. _ports.Select(port => $"http://localhost:{port}")];

    internal List<Resource> References { get; } = [];

    internal List<(string Name, Func<ResourceContext, string> Value)> Environment { get; } = [];

    internal override void AssignPorts(PortAllocator ports)
    {
        _ports.Add(ports.Take(Name, defaultPort));
        for (var replica = 1; replica < ReplicaCount; replica++)
        {
            _ports.Add(ports.TakeFree($"{Name} (replica {replica})"));
        }
    }

    internal override IEnumerable<string> FindMissingPrerequisites(ResourceContext context) =>
        File.Exists(Project.AssemblyPath) ? [] : [$"the build output of {Name} ({Project.AssemblyPath}); build the solution first"];

    // Service discovery lists every replica; clients spread their calls over them.
    internal override void AddReferenceEnvironment(ResourceContext context, IDictionary<string, string> environment)
    {
        for (var replica = 0; replica < _ports.Count; replica++)
        {
            environment[$"services__{Name}__http__{replica}"] = Urls[replica];
        }
    }

    private protected override ProcessStartInfo CreateStartInfo(ResourceContext context, int replica)
    {
        var info = new ProcessStartInfo(DotnetHost(), [Project.AssemblyPath])
        {
            // As Aspire does: content root and relative paths resolve against the project folder.
            WorkingDirectory = Path.GetDirectoryName(Project.ProjectPath)!,
        };
        var environment = info.Environment;
        environment["ASPNETCORE_URLS"] = Urls[replica];
        environment["ASPNETCORE_ENVIRONMENT"] = context.Options.ServiceEnvironment;
        environment["DOTNET_ENVIRONMENT"] = context.Options.ServiceEnvironment;
        environment["OTEL_SERVICE_NAME"] = Name;
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={Guid.NewGuid()}";
        environment["Logging__Console__FormatterName"] = "simple";
        environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss ";

        var fromReferences = new Dictionary<string, string>();
        foreach (var reference in References)
        {
            reference.AddReferenceEnvironment(context, fromReferences);
        }
        foreach (var (key, value) in fromReferences)
        {
            environment[key] = value;
        }
        foreach (var (key, value) in Environment)
        {
            environment[key] = value(context);
        }
        return info;
    }

    internal override async Task<HealthReport> CheckHealthAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        foreach (var url in Urls)
        {
            var report = await CheckReplicaAsync(context, url, cancellationToken);
            if (report.Health != ResourceHealth.Healthy)
            {
                return report;
            }
        }
        return HealthReport.Healthy(Replicas > 1 ? $"{Replicas} replicas" : null);
    }

    private static async Task<HealthReport> CheckReplicaAsync(ResourceContext context, string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await context.Probe.GetAsync(new Uri($"{url}/health"), cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return HealthReport.Healthy();
            }
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return HealthReport.Unhealthy($"/health answered {(int)response.StatusCode}: {body}");
        }
        catch (HttpRequestException ex)
        {
            return HealthReport.Unhealthy(ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthReport.Unhealthy("/health did not answer in time");
        }
    }

    // The dotnet host running us (or the SDK's, under dotnet run / test), else the one on the PATH.
    private static string DotnetHost() =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
        ?? (System.Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : null)
        ?? Executables.Find("dotnet")
        ?? throw new DistributedApplicationException("The dotnet host was not found on the PATH.");
}
