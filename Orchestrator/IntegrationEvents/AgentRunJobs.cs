using Orchestrator.Agents;

namespace Orchestrator.IntegrationEvents;

/// <summary>
/// A run to execute. Its job is acked when the run has ended; if the replica running it dies, JetStream delivers it
/// again after the consumer's AckWait, and the run resumes from its last checkpoint, here or on another replica.
/// </summary>
public sealed record AgentRunRequestedIntegrationEvent : IntegrationEvent
{
    public const string Subject = "agent.run.requested";

    public Guid TenantId { get; init; }

    public Guid RunId { get; init; }
}

public sealed class AgentRunJobHandler(AgentRunner runner, TenantContext tenant) : IIntegrationEventHandler<AgentRunRequestedIntegrationEvent>
{
    public Task HandleAsync(AgentRunRequestedIntegrationEvent job, CancellationToken cancellationToken)
    {
        tenant.Enter(job.TenantId);
        return runner.RunAsync(job.RunId, cancellationToken);
    }
}

/// <summary>A run's job as the dead-letter subject holds it (a type of its own, so it has a handler of its own).</summary>
public sealed record DeadAgentRunIntegrationEvent : IntegrationEvent
{
    public Guid TenantId { get; init; }

    public Guid RunId { get; init; }
}

/// <summary>A run whose job kept failing (a fault of the platform's, not of the run) reached the dead-letter subject: it ends failed.</summary>
public sealed class AgentRunFailedHandler(AgentRunner runner, TenantContext tenant) : IIntegrationEventHandler<DeadAgentRunIntegrationEvent>
{
    public Task HandleAsync(DeadAgentRunIntegrationEvent job, CancellationToken cancellationToken)
    {
        tenant.Enter(job.TenantId);
        return runner.FailAsync(job.RunId, new ExecutionError(StatusCodes.Status500InternalServerError, "The run kept failing on the platform's side and was given up.", "api_error", "agent_run_failed"), cancellationToken);
    }
}
