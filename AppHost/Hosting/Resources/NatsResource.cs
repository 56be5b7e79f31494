using System.Diagnostics;

namespace AppHost.Hosting.Resources;

/// <summary>Debian's nats-server on loopback with a generated user and password; JetStream stores under <c>.data/nats</c>.</summary>
public sealed class NatsResource(string name) : ProcessResource(name)
{
    private const int DefaultPort = 14222;
    private const int DefaultMonitorPort = 18222;
    private const string User = "platform";

    public override string Type => "nats";

    public bool JetStream { get; internal set; }

    public int Port { get; private set; }

    public int MonitorPort { get; private set; }

    public override string? Url => $"nats://127.0.0.1:{Port}";

    internal override void AssignPorts(PortAllocator ports)
    {
        Port = ports.Take(Name, DefaultPort);
        MonitorPort = ports.Take(Name, DefaultMonitorPort, "Monitor");
    }

    internal override IEnumerable<string> FindMissingPrerequisites(ResourceContext context) =>
        Executables.Find(context.Options.NatsServer) is null ? [$"{context.Options.NatsServer} (Debian package nats-server)"] : [];

    internal override string? GetConnectionString(ResourceContext context) => $"nats://{User}:{Password(context)}@127.0.0.1:{Port}";

    private protected override async Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var directory = context.PathFor(Name);
        Directory.CreateDirectory(directory);
        var jetStream = JetStream
            ? $$"""
              jetstream {
                store_dir: "{{Path.Combine(directory, "jetstream")}}"
                max_memory_store: 256MB
                max_file_store: 4GB
              }
              """
            : "";
        var config = Path.Combine(directory, "nats.conf");
        await File.WriteAllTextAsync(config, $$"""
            listen: 127.0.0.1:{{Port}}
            http: 127.0.0.1:{{MonitorPort}}
            authorization {
              user: {{User}}
              password: "{{Password(context)}}"
            }
            {{jetStream}}
            """, cancellationToken);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private protected override ProcessStartInfo CreateStartInfo(ResourceContext context, int replica) =>
        new(Executables.Find(context.Options.NatsServer)!, ["-c", Path.Combine(context.PathFor(Name), "nats.conf")]);

    internal override async Task<HealthReport> CheckHealthAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        try
        {
            // /healthz answers 200 only once JetStream (when enabled) is ready too.
            using var response = await context.Probe.GetAsync(new Uri($"http://127.0.0.1:{MonitorPort}/healthz"), cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthReport.Healthy(JetStream ? "JetStream ready" : null)
                : HealthReport.Unhealthy($"/healthz answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException ex)
        {
            return HealthReport.Unhealthy(ex.Message);
        }
    }

    private string Password(ResourceContext context) => context.Secrets.GetOrCreate($"secrets/{Name}-password", SecretStore.NewPassword);
}
