using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace AppHost.LocalServers;

public static class RedisBuilderExtensions
{
    private const int DefaultPort = 16379;

    /// <summary>Debian's redis-server on loopback; a config file under <c>{data}/{name}</c> keeps its password out of the process list.</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name, DataFolder data)
    {
        var options = builder.Configuration.GetSection("LocalServers").Get<LocalServersOptions>() ?? new();
        var directory = data.PathFor(name);
        var config = Path.Combine(directory, "redis.conf");
        var password = builder.AddParameter($"{name}-password", data.Secret($"secrets/{name}-password"), secret: true);
        var redis = new RedisResource(name, Executables.Find(options.RedisServer) ?? options.RedisServer, directory, password.Resource);

        var healthCheck = $"{name}-check";
        ConnectionMultiplexer? connection = null;
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
        {
            try
            {
                if (connection is null)
                {
                    var configuration = ConfigurationOptions.Parse(await redis.ConnectionStringExpression.GetValueAsync(cancellationToken) ?? "");
                    configuration.AbortOnConnectFail = false;
                    connection = await ConnectionMultiplexer.ConnectAsync(configuration);
                }
                return HealthCheckResult.Healthy($"PING {(await connection.GetDatabase().PingAsync()).TotalMilliseconds:0.0} ms");
            }
            catch (RedisException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        });

        return builder.AddResource(redis)
            .WithEndpoint(port: Ports.Fixed(builder, DefaultPort), name: RedisResource.EndpointName, isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(config);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHealthCheck(healthCheck)
            .WithServerManifest("redis.server.v0")
            .OnBeforeResourceStarted(async (redis, _, cancellationToken) =>
            {
                Executables.Require(options.RedisServer, "redis-server");
                Directory.CreateDirectory(directory);
                await File.WriteAllTextAsync(config, $"""
                    bind 127.0.0.1
                    dir {directory}
                    requirepass {await redis.Password.GetValueAsync(cancellationToken)}
                    daemonize no
                    protected-mode yes
                    save 60 1
                    """, cancellationToken);
                File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            });
    }
}
