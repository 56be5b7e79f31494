namespace Microsoft.Extensions.Hosting;

/// <summary>Settings of a PostgreSQL <c>DbContext</c>, bound from <c>Aspire:Npgsql:EntityFrameworkCore:PostgreSQL</c>.</summary>
public sealed class NpgsqlSettings
{
    /// <summary>Taken from <c>ConnectionStrings:{name}</c> when not set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Default false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Default false.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>Default false.</summary>
    public bool DisableMetrics { get; set; }
}
