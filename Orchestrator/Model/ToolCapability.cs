namespace Orchestrator.Model;

/// <summary>
/// A capability the tenant's agents call by one name (<c>web_search</c>), served by tools in order: the first that
/// answers does, the next is tried when one fails, times out, is broken (its circuit open) or busy (its bulkhead full).
/// </summary>
public sealed class ToolCapability
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The function name agents' models see.</summary>
    public required string Name { get; set; }

    public string Description { get; set; } = "";

    /// <summary>The tools in the order they are tried: built-in names or <c>mcp:&lt;server&gt;/&lt;tool&gt;</c>.</summary>
    public List<string> Tools { get; set; } = [];

    public ToolPolicy Policy { get; set; } = new();

    public int Version { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>How each tool of a capability is guarded, per tenant and replica.</summary>
public sealed record ToolPolicy
{
    /// <summary>Default 10 seconds an attempt may take.</summary>
    public int TimeoutSeconds { get; init; } = 10;

    /// <summary>Default 8 calls of one tool at once (its bulkhead); one more is not queued but falls back.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Default 0.5: the share of failed calls that opens a tool's circuit.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Default 4 calls in 30 seconds before the ratio counts.</summary>
    public int MinimumThroughput { get; init; } = 4;

    /// <summary>Default 30 seconds open before a trial call.</summary>
    public int BreakSeconds { get; init; } = 30;

    /// <summary>Default 1 retry, made only for tools that declare themselves idempotent or read-only.</summary>
    public int Retries { get; init; } = 1;
}
