using Microsoft.Extensions.AI;

namespace Platform.Contracts;

/// <summary>One line of the Orchestrator's NDJSON stream: an update, or the error that ended the stream.</summary>
public sealed record ChatStreamLine(ChatResponseUpdate? Update, ExecutionError? Error);
