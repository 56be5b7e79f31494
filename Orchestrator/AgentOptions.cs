namespace Orchestrator;

/// <summary>How agents run, bound from <c>Agents</c>.</summary>
public sealed class AgentOptions
{
    /// <summary>Default 50: the most model calls any agent's limits may allow per run.</summary>
    public int MaxIterationsCeiling { get; set; } = 50;

    /// <summary>Default 30 seconds: a tool call that takes longer fails (an MCP server may set less).</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Default 10 minutes: how long a registered MCP server's tool list is used before it is listed again.</summary>
    public TimeSpan ToolListLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Default none: private networks (CIDR) MCP servers and fetched pages may be at, such as a cluster's own tool
    /// servers. Tenants' servers and pages must otherwise be on public addresses, so an agent cannot reach the
    /// platform's own services.
    /// </summary>
    public string[] AllowedPrivateNetworks { get; set; } = [];
}
