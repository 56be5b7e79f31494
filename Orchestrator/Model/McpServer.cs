using System.Text.Json;

namespace Orchestrator.Model;

/// <summary>An MCP server a tenant registered (streamable HTTP), with the tools it last listed.</summary>
public sealed class McpServer
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public required Uri Url { get; set; }

    /// <summary>Headers sent with every request (an API key, say); never shown back.</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>The tools as the server listed them (name, description, input schema, declared cost).</summary>
    public List<McpToolInfo> Tools { get; set; } = [];

    public DateTimeOffset? ToolsListedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A server's tool: what the model is shown, what a call costs, whether it may be repeated (idempotent or read-only),
/// the tool that tells the outcome of a call by its idempotency key, and the tool that undoes a call (given the call's
/// result as its argument <see cref="CompensationArgument"/>). All but the schema are declared in the tool's <c>_meta</c>.
/// </summary>
public sealed record McpToolInfo(
    string Name, string? Description, JsonElement InputSchema, decimal? CostUsd, bool Idempotent,
    string? OutcomeTool = null, string? CompensationTool = null, string? CompensationArgument = null);
