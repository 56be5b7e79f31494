namespace AppHost.Hosting;

/// <summary>A node of the app model: something the AppHost starts (or finds), checks and stops.</summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    public abstract string Type { get; }

    public ResourceState State { get; internal set; } = ResourceState.Pending;

    public ResourceHealth Health { get; internal set; } = ResourceHealth.Unknown;

    public string? HealthDescription { get; internal set; }

    /// <summary>Where a developer reaches the resource, for the resource table.</summary>
    public virtual string? Url => null;

    internal HashSet<Resource> WaitsFor { get; } = [];

    internal TaskCompletionSource Ready { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Takes the ports this resource listens on, before anything starts.</summary>
    internal virtual void AssignPorts(PortAllocator ports)
    {
    }

    /// <summary>Names what must exist on this machine before the resource can start; an empty list when all is there.</summary>
    internal virtual IEnumerable<string> FindMissingPrerequisites(ResourceContext context) => [];

    /// <summary>The connection string a referencing service receives, for resources that have one.</summary>
    internal virtual string? GetConnectionString(ResourceContext context) => null;

    /// <summary>Sets what a resource that references this one receives, in Aspire's variable names.</summary>
    internal virtual void AddReferenceEnvironment(ResourceContext context, IDictionary<string, string> environment)
    {
        if (GetConnectionString(context) is { } connectionString)
        {
            environment[$"ConnectionStrings__{Name}"] = connectionString;
        }
    }

    /// <summary>Starts the resource and returns once it is healthy.</summary>
    internal abstract Task StartAsync(ResourceContext context, CancellationToken cancellationToken);

    internal abstract Task StopAsync(ResourceContext context);

    internal abstract Task<HealthReport> CheckHealthAsync(ResourceContext context, CancellationToken cancellationToken);
}

public readonly record struct HealthReport(ResourceHealth Health, string? Description = null)
{
    public static HealthReport Healthy(string? description = null) => new(ResourceHealth.Healthy, description);

    public static HealthReport Unhealthy(string description) => new(ResourceHealth.Unhealthy, description);
}
