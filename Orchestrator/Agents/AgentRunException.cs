namespace Orchestrator.Agents;

/// <summary>Why a run stopped: a limit it reached, a refusal of one of its model calls, or a fault; in the OpenAI error's terms.</summary>
public sealed class AgentRunException(ExecutionError error) : Exception(error.Message)
{
    public ExecutionError Error { get; } = error;

    public static AgentRunException Limit(string code, string message) =>
        new(new ExecutionError(StatusCodes.Status422UnprocessableEntity, message, "agent_limit_exceeded", code));
}
