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

    public int Port { get; private set; }

    public override string? Url => $"http://localhost:{Port}";

    internal List<Resource> References { get; } = [];

    internal List<(string Name, Func<ResourceContext, string> Value)> Environment { get; } = [];

    internal override void AssignPorts(PortAllocator ports) => Port = ports.Take(Name, defaultPort);

    internal override IEnumerable<string> FindMissingPrerequisites(ResourceContext context) =>
        File.Exists(Project.AssemblyPath) ? [] : [$"the build output of {Name} ({Project.AssemblyPath}); build the solution first"];

    internal override void AddReferenceEnvironment(ResourceContext context, IDictionary<string, string> environment) =>
        environment[$"services__{Name}__http__0"] = Url!;

    private protected override ProcessStartInfo CreateStartInfo(ResourceContext context)
    {
        var info = new ProcessStartInfo(DotnetHost(), [Project.AssemblyPath])
        {
            // As Aspire does: content root and relative paths resolve against the project folder.
            WorkingDirectory = Path.GetDirectoryName(Project.ProjectPath)!,
        };
        var environment = info.Environment;
        environment["ASPNETCORE_URLS"] = Url;
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
        try
        {
            using var response = await context.Probe.GetAsync(new Uri($"{Url}/health"), cancellationToken);
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
