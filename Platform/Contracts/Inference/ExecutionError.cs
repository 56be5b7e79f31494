namespace Platform.Contracts;

/// <summary>Why a provider call failed, with the status the Gateway should answer (and the provider's wait, if any).</summary>
public sealed record ExecutionError(int Status, string Message, string Type, string? Code, double? RetryAfterSeconds = null);
