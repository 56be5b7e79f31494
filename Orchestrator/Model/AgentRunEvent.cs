using System.Text.Json;

namespace Orchestrator.Model;

/// <summary>A step of a run as its followers see it (model call, tool call, answer, end), numbered in order from 1.</summary>
public sealed class AgentRunEvent
{
    public Guid RunId { get; set; }

    public Guid TenantId { get; set; }

    public int Seq { get; set; }

    public required string Type { get; set; }

    public required JsonElement Data { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
