using System.Data.Common;

namespace Ingestion.Infrastructure;

/// <summary>Settings of the Qdrant client, bound from <c>Aspire:Qdrant:Client</c>, then <c>Aspire:Qdrant:Client:{name}</c>.</summary>
public sealed class QdrantClientSettings
{
    /// <summary>Qdrant's gRPC endpoint (port 6334 by default), taken from <c>ConnectionStrings:{name}</c> when that is set.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The API key, sent as <c>api-key</c>; none by default.</summary>
    public string? Key { get; set; }

    /// <summary>Default false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Default 3 seconds.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Aspire's form <c>Endpoint=http://host:6334;Key=…</c>, or a bare URL.</summary>
    internal void ParseConnectionString(string connectionString)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var bare))
        {
            Endpoint = bare;
            return;
        }
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (parsed.TryGetValue("Endpoint", out var endpoint) && Uri.TryCreate(endpoint?.ToString(), UriKind.Absolute, out var uri))
        {
            Endpoint = uri;
        }
        if (parsed.TryGetValue("Key", out var key))
        {
            Key = key?.ToString();
        }
    }
}
