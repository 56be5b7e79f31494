using System.Data.Common;

namespace AppHost.Hosting.Resources;

/// <summary>
/// A service that runs elsewhere and is used only when configured: a connection string (<c>ConnectionStrings:qdrant</c>)
/// or a base URL (<c>ExternalServices:vllm</c>). The AppHost shows its health; it never starts or stops it.
/// </summary>
public sealed class ExternalResource : Resource
{
    private readonly string? _connectionString;
    private readonly Uri _endpoint;
    private readonly string _healthPath;

    private ExternalResource(string name, string type, Uri endpoint, string? connectionString, string healthPath) : base(name)
    {
        Type = type;
        _endpoint = endpoint;
        _connectionString = connectionString;
        _healthPath = healthPath;
    }

    public override string Type { get; }

    public override string? Url => _endpoint.ToString();

    internal static ExternalResource FromConnectionString(string name, string connectionString, string healthPath)
    {
        // Aspire's form is "Endpoint=http://host:port;Key=…"; a bare URL is accepted too.
        var builder = new DbConnectionStringBuilder();
        var endpoint = Uri.TryCreate(connectionString, UriKind.Absolute, out var bare) ? bare : null;
        if (endpoint is null)
        {
            builder.ConnectionString = connectionString;
            endpoint = builder.TryGetValue("Endpoint", out var value) && Uri.TryCreate(value?.ToString(), UriKind.Absolute, out var parsed)
                ? parsed
                : throw new DistributedApplicationException($"ConnectionStrings:{name} has no Endpoint=<url>.");
        }
        return new ExternalResource(name, "external", endpoint, connectionString, healthPath);
    }

    internal static ExternalResource FromUrl(string name, string url, string healthPath) =>
        Uri.TryCreate(url, UriKind.Absolute, out var endpoint)
            ? new ExternalResource(name, "external", endpoint, null, healthPath)
            : throw new DistributedApplicationException($"ExternalServices:{name} is not an absolute URL: '{url}'.");

    internal override string? GetConnectionString(ResourceContext context) => _connectionString;

    internal override void AddReferenceEnvironment(ResourceContext context, IDictionary<string, string> environment)
    {
        base.AddReferenceEnvironment(context, environment);
        if (_connectionString is null)
        {
            environment[$"services__{Name}__{_endpoint.Scheme}__0"] = _endpoint.ToString();
        }
    }

    // Nothing to start: it is running already, or it is not, which the health column shows.
    internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        State = ResourceState.Running;
        var report = await CheckHealthAsync(context, cancellationToken);
        Health = report.Health;
        HealthDescription = report.Description;
    }

    internal override Task StopAsync(ResourceContext context) => Task.CompletedTask;

    internal override async Task<HealthReport> CheckHealthAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await context.Probe.GetAsync(new Uri(new Uri(_endpoint.GetLeftPart(UriPartial.Authority)), _healthPath), cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthReport.Healthy()
                : HealthReport.Unhealthy($"{_healthPath} answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthReport.Unhealthy($"unreachable: {ex.Message}");
        }
    }
}
