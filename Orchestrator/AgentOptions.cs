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

    /// <summary>
    /// Default none: MCP servers the operator installed beside the Orchestrator, by name, each run as a child process
    /// spoken to over stdio. Tenants cannot register these (a command line is the operator's to choose); their agents
    /// name the tools as they name a registered server's, <c>mcp:&lt;name&gt;/&lt;tool&gt;</c>.
    /// </summary>
    public Dictionary<string, StdioServerOptions> StdioServers { get; set; } = [];
}

/// <summary>An operator-installed MCP server: how it is started, how long a call may take, and which tenants may use it.</summary>
public sealed class StdioServerOptions
{
    public string Command { get; set; } = "";

    public List<string> Arguments { get; set; } = [];

    /// <summary>Set for the server's process, beside the Orchestrator's own environment.</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    public string? WorkingDirectory { get; set; }

    /// <summary>Default 30: seconds a call (or starting the server) may take.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Default every tenant: the tenants (ids) whose agents may use the server.</summary>
    public List<Guid> Tenants { get; set; } = [];

    public bool IsFor(Guid tenantId) => Tenants.Count == 0 || Tenants.Contains(tenantId);
}
