namespace AppHost.LocalServers;

/// <summary>Where and how the AppHost runs Debian's servers, bound from the <c>LocalServers</c> section.</summary>
public sealed class LocalServersOptions
{
    /// <summary>Default: <c>.data/</c> at the repository root. Servers' data and generated secrets, kept across runs.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Default false. True trades PostgreSQL durability for speed (fsync off), for throwaway test data.</summary>
    public bool FastPostgres { get; set; }

    /// <summary>Default: the newest <c>/usr/lib/postgresql/*/bin</c>.</summary>
    public string? PostgresBinDirectory { get; set; }

    /// <summary>Default <c>redis-server</c> on the PATH.</summary>
    public string RedisServer { get; set; } = "redis-server";

    /// <summary>Default <c>nats-server</c> on the PATH (or /usr/sbin).</summary>
    public string NatsServer { get; set; } = "nats-server";
}
