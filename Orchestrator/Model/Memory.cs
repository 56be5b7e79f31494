namespace Orchestrator.Model;

/// <summary>
/// Warm memory: a fact or a past exchange with one of the tenant's users, kept with its embedding so that a later run
/// recalls it by similarity to what the user asks.
/// </summary>
public sealed class MemoryEntry
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Whose memory it is: the <c>user</c> a run was started for.</summary>
    public required string User { get; set; }

    /// <summary>The agent whose run wrote it.</summary>
    public required string Agent { get; set; }

    public MemoryKind Kind { get; set; }

    public required string Text { get; set; }

    /// <summary>The normalised embedding of <see cref="Text"/> (the local model's), compared by dot product.</summary>
    public required float[] Embedding { get; set; }

    public Guid? RunId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public enum MemoryKind
{
    /// <summary>What the user said in a run, and the answer.</summary>
    Exchange,

    /// <summary>A fact an agent remembered with its memory tool.</summary>
    Fact,
}

/// <summary>Cold memory: something a user's facts are about (a person, a company, a product), by its name.</summary>
public sealed class MemoryEntity
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string User { get; set; }

    /// <summary>The name as first written.</summary>
    public required string Name { get; set; }

    /// <summary>The name folded (trimmed, lower case), which makes an entity one whoever writes it.</summary>
    public required string Key { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Cold memory: a fact as subject, relation and object (<c>alice works_at Contoso</c>).</summary>
public sealed class MemoryRelation
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string User { get; set; }

    public Guid SubjectId { get; set; }

    public required string Relation { get; set; }

    public Guid ObjectId { get; set; }

    public required string Agent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
