namespace Orchestrator.Model;

/// <summary>What an agent is: its instructions, the model (or <c>auto</c>) every step asks, the tools it may call, and its limits.</summary>
public sealed record AgentDefinition
{
    public string Description { get; init; } = "";

    public string Instructions { get; init; } = "";

    /// <summary>A catalog model as <c>provider/model</c>, or <c>auto</c> for the Router's choice under the tenant's policy.</summary>
    public string Model { get; init; } = "auto";

    /// <summary>
    /// The allow-list: built-in tools by name (<see cref="Agents.BuiltInTools"/>) and MCP tools as
    /// <c>mcp:&lt;server&gt;/&lt;tool&gt;</c> or <c>mcp:&lt;server&gt;/*</c>. A call to anything else is refused.
    /// </summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    public AgentLimits Limits { get; init; } = new();

    /// <summary>When set, a reviewer model scores each draft answer; one below its threshold is written again.</summary>
    public CriticSettings? Critic { get; init; }

    /// <summary>When set, the agent remembers each user: their conversations, past exchanges and facts.</summary>
    public MemorySettings? Memory { get; init; }
}

/// <summary>
/// Three tiers of a user's memory: hot, the conversation in Redis (its older turns summarised past a token budget);
/// warm, past exchanges and facts recalled by similarity to the question; cold, facts as entities and relations,
/// written and read by the agent's <c>remember</c> and <c>recall</c> tools.
/// </summary>
public sealed record MemorySettings
{
    /// <summary>Default 2,000 tokens of earlier turns kept word for word; past it the older turns are summarised.</summary>
    public int ConversationTokens { get; init; } = 2_000;

    /// <summary>Default 24 hours: a conversation nobody continues for this long is forgotten.</summary>
    public int ConversationHours { get; init; } = 24;

    /// <summary>Default 3: past exchanges and facts recalled into each run (0: none).</summary>
    public int RecallTop { get; init; } = 3;

    /// <summary>Default 0.35: the least similarity (cosine) a memory needs to be recalled.</summary>
    public double RecallThreshold { get; init; } = 0.35;

    /// <summary>Default true: the agent has the <c>remember</c> and <c>recall</c> tools for durable facts.</summary>
    public bool Tools { get; init; } = true;
}

/// <summary>The critic (reflection) loop: who reviews, the score a draft needs, and how many times it may be written again.</summary>
public sealed record CriticSettings
{
    /// <summary>Default <c>auto</c>: the reviewer is routed like any model.</summary>
    public string Model { get; init; } = "auto";

    /// <summary>Default 0.7 of 1: the mean of groundedness, adherence and tone a draft needs.</summary>
    public double Threshold { get; init; } = 0.7;

    /// <summary>Default 2 drafts after the first; the last draft stands if none passes.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>What the reviewer checks besides the agent's instructions, if anything.</summary>
    public string Instructions { get; init; } = "";
}

/// <summary>What one run may spend; reaching a limit stops the run with an error, billed for what it used.</summary>
public sealed record AgentLimits
{
    /// <summary>Default 8 model calls.</summary>
    public int MaxIterations { get; init; } = 8;

    /// <summary>Default 16 tool calls.</summary>
    public int MaxToolCalls { get; init; } = 16;

    /// <summary>Default 1 USD.</summary>
    public decimal MaxCostUsd { get; init; } = 1;

    /// <summary>Default 300 seconds.</summary>
    public int MaxSeconds { get; init; } = 300;
}
