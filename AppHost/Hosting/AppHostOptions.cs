namespace AppHost.Hosting;

/// <summary>How the AppHost runs the graph, bound from the <c>AppHost</c> section (arguments, environment, appsettings).</summary>
public sealed class AppHostOptions
{
    /// <summary>Where state lives across runs. Default: <c>.data/</c> at the repository root.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Default false. True gives every resource a free port, for tests beside a running dev instance.</summary>
    public bool RandomPorts { get; set; }

    /// <summary>Default false. True when hosted inside another process (the test fixture): no console echo, no signal handlers.</summary>
    public bool Embedded { get; set; }

    /// <summary>Default false. True trades PostgreSQL durability for speed (fsync off), for throwaway test data.</summary>
    public bool FastPostgres { get; set; }

    /// <summary>Default "Development": the environment services run in.</summary>
    public string ServiceEnvironment { get; set; } = "Development";

    /// <summary>Default 90 seconds for a resource to become healthy once started.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Default 5 seconds between health checks of running resources.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default: the newest <c>/usr/lib/postgresql/*/bin</c>.</summary>
    public string? PostgresBinDirectory { get; set; }

    /// <summary>Default <c>redis-server</c> on the PATH.</summary>
    public string RedisServer { get; set; } = "redis-server";

    /// <summary>Default <c>nats-server</c> on the PATH.</summary>
    public string NatsServer { get; set; } = "nats-server";
}
