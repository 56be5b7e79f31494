namespace Platform.Messaging;

/// <summary>Settings of the NATS client, bound from <c>Aspire:Nats:Client</c>, then <c>Aspire:Nats:Client:{name}</c>.</summary>
public sealed class NatsClientSettings
{
    /// <summary>
    /// Taken from <c>ConnectionStrings:{name}</c> when that is set; credentials may sit in the URL
    /// (<c>nats://user:password@host:port</c>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Default false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Default false: tracing and metrics of the client.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>Default 3 seconds.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
