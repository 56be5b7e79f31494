namespace Platform.Contracts.Realtime;

/// <summary>
/// The names the <c>/ws/chat</c> protocol shares between the Gateway (which admits a socket) and Realtime (which
/// serves it); the protocol itself is in README ("Realtime").
/// </summary>
public static class RealtimeProtocol
{
    /// <summary>The subprotocol a client may ask for; it is granted when asked.</summary>
    public const string Subprotocol = "aiplatform.v1";

    /// <summary>
    /// A browser cannot set headers on a WebSocket, so it may offer its key as a subprotocol, <c>bearer.&lt;key&gt;</c>,
    /// beside <see cref="Subprotocol"/>. It is never granted, echoed or passed on.
    /// </summary>
    public const string CredentialPrefix = "bearer.";

    /// <summary>The close status of a refused socket (RFC 6455: policy violation).</summary>
    public const int RefusedCloseStatus = 1008;

    /// <summary>The close status of a client that could not keep up (RFC 6455 registry: try again later).</summary>
    public const int SlowClientCloseStatus = 1013;

    /// <summary>The subprotocols a request offers (<c>Sec-WebSocket-Protocol</c>, comma-separated, possibly in several headers).</summary>
    public static IEnumerable<string> Offered(IEnumerable<string?> headerValues) =>
        headerValues.SelectMany(value => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The key offered as a subprotocol, if any.</summary>
    public static string? CredentialOf(IEnumerable<string?> headerValues) =>
        Offered(headerValues).FirstOrDefault(protocol => protocol.StartsWith(CredentialPrefix, StringComparison.Ordinal))?[CredentialPrefix.Length..];
}
