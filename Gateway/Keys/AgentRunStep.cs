namespace Gateway.Keys;

/// <summary>
/// A request feature: this <c>/v1</c> call is a step of the agent run <paramref name="RunId"/>, authenticated by the
/// run's token (<see cref="DelegatedKeyAuthenticationHandler"/>) as the key that started the run.
/// </summary>
public sealed record AgentRunStep(Guid RunId);
