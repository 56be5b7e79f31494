namespace Platform.Contracts;

/// <summary>Why a call failed or was refused, with the status to answer, the wait if any, and the request field at fault if one is.</summary>
public sealed record ExecutionError(int Status, string Message, string Type, string? Code, double? RetryAfterSeconds = null, string? Param = null);
