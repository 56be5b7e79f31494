using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AppHost.Hosting.Resources;

/// <summary>Debian's redis-server on loopback with a generated password and its dump under <c>.data/redis</c>.</summary>
public sealed class RedisResource(string name) : ProcessResource(name)
{
    private const int DefaultPort = 16379;

    public override string Type => "redis";

    public int Port { get; private set; }

    public override string? Url => $"redis://127.0.0.1:{Port}";

    internal override void AssignPorts(PortAllocator ports) => Port = ports.Take(Name, DefaultPort);

    internal override IEnumerable<string> FindMissingPrerequisites(ResourceContext context) =>
        Executables.Find(context.Options.RedisServer) is null ? [$"{context.Options.RedisServer} (Debian package redis-server)"] : [];

    internal override string? GetConnectionString(ResourceContext context) => $"127.0.0.1:{Port},password={Password(context)}";

    private protected override async Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var directory = context.PathFor(Name);
        Directory.CreateDirectory(directory);
        // A config file keeps the password out of the process list.
        var config = Path.Combine(directory, "redis.conf");
        await File.WriteAllTextAsync(config, $"""
            bind 127.0.0.1
            port {Port}
            dir {directory}
            requirepass {Password(context)}
            daemonize no
            protected-mode yes
            save 60 1
            """, cancellationToken);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private protected override ProcessStartInfo CreateStartInfo(ResourceContext context, int replica) =>
        new(Executables.Find(context.Options.RedisServer)!, [Path.Combine(context.PathFor(Name), "redis.conf")]);

    internal override async Task<HealthReport> CheckHealthAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {Password(context)}\r\nPING\r\n"), cancellationToken);
            var buffer = new byte[64];
            var reply = new StringBuilder();
            while (!reply.ToString().Contains("PONG", StringComparison.Ordinal) && reply.Length < 256)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    break;
                }
                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            return reply.ToString().Contains("+PONG", StringComparison.Ordinal)
                ? HealthReport.Healthy()
                : HealthReport.Unhealthy($"Unexpected reply: {reply.ToString().Trim()}");
        }
        catch (SocketException ex)
        {
            return HealthReport.Unhealthy(ex.Message);
        }
    }

    private string Password(ResourceContext context) => context.Secrets.GetOrCreate($"secrets/{Name}-password", SecretStore.NewPassword);
}
