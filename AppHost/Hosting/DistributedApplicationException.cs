namespace AppHost.Hosting;

/// <summary>A failure the AppHost explains to the developer in one message, without a stack trace.</summary>
public sealed class DistributedApplicationException(string message, Exception? inner = null) : Exception(message, inner);
