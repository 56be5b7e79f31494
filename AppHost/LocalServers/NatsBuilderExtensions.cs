using Microsoft.Extensions.Configuration;

namespace AppHost.LocalServers;

public static class NatsBuilderExtensions
{
    private const int DefaultPort = 14222;
    private const int DefaultMonitorPort = 18222;

    /// <summary>Debian's nats-server with JetStream on loopback; its config (with the password) and streams under <c>{data}/{name}</c>.</summary>
    public static IResourceBuilder<NatsResource> AddNats(this IDistributedApplicationBuilder builder, string name, DataFolder data)
    {
        var options = builder.Configuration.GetSection("LocalServers").Get<LocalServersOptions>() ?? new();
        var directory = data.PathFor(name);
        var config = Path.Combine(directory, "nats.conf");
        var password = builder.AddParameter($"{name}-password", data.Secret($"secrets/{name}-password"), secret: true);
        var nats = new NatsResource(name, Executables.Find(options.NatsServer) ?? options.NatsServer, directory, password.Resource);

        return builder.AddResource(nats)
            .WithEndpoint(port: Ports.Fixed(builder, DefaultPort), name: NatsResource.EndpointName, isProxied: false)
            .WithHttpEndpoint(port: Ports.Fixed(builder, DefaultMonitorPort), name: NatsResource.MonitorEndpointName, isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("-c");
                context.Args.Add(config);
                context.Args.Add("-a");
                context.Args.Add("127.0.0.1");
                context.Args.Add("-p");
                context.Args.Add(nats.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-m");
                context.Args.Add(nats.GetEndpoint(NatsResource.MonitorEndpointName).Property(EndpointProperty.TargetPort));
            })
            // /healthz answers 200 only once JetStream is ready too.
            .WithHttpHealthCheck("/healthz", endpointName: NatsResource.MonitorEndpointName)
            .WithServerManifest("nats.server.v0")
            .OnBeforeResourceStarted(async (nats, _, cancellationToken) =>
            {
                Executables.Require(options.NatsServer, "nats-server");
                Directory.CreateDirectory(directory);
                await File.WriteAllTextAsync(config, $$"""
                    authorization {
                      user: {{NatsResource.User}}
                      password: "{{await nats.Password.GetValueAsync(cancellationToken)}}"
                    }
                    jetstream {
                      store_dir: "{{Path.Combine(directory, "jetstream")}}"
                      max_memory_store: 256MB
                      max_file_store: 4GB
                    }
                    """, cancellationToken);
                File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            });
    }
}
