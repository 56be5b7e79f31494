using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Platform.Contracts;

/// <summary>How the Gateway and the Orchestrator serialise executions: Microsoft.Extensions.AI's own options, on one line.</summary>
public static class ExecutionJson
{
    // The library's defaults indent; a stream of NDJSON lines must not.
    public static JsonSerializerOptions Options { get; } = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
}
