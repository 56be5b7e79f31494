namespace Orchestrator.Model;

/// <summary>A tenant's agent, by name; what it does is in its versions, the newest of which serves new runs.</summary>
public sealed class Agent
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public int CurrentVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One saved definition of an agent; never changed once written, so a run's version tells what served it.</summary>
public sealed class AgentVersion
{
    public Guid AgentId { get; set; }

    public Guid TenantId { get; set; }

    public int Version { get; set; }

    public required AgentDefinition Definition { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
