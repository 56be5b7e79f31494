using System.Buffers;
using System.Security.Claims;

namespace Gateway.Keys;

/// <summary>
/// What a service's token acting as a tenant's key says: the key, of its tenant, and for whom it acts. The
/// Orchestrator mints one per agent run (<see cref="InternalTokenIssuer.IssueForAgentRun"/>, with the run), Realtime
/// one per WebSocket session (<see cref="InternalTokenIssuer.IssueForRealtimeSession"/>), for the model calls they
/// make through <c>/v1</c>.
/// </summary>
public sealed record DelegatedKeyToken(Guid TenantId, Guid KeyId, Guid? RunId)
{
    private const string BearerPrefix = "Bearer ";

    private static readonly SearchValues<char> Base64UrlChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>Whether the request's bearer credential is shaped as a token: checked before any key lookup, and cheap.</summary>
    public static bool IsPresented(HttpRequest request) => IsShaped(CredentialOf(request.Headers.Authorization.ToString()));

    /// <summary>What follows <c>Bearer </c> in <paramref name="authorization"/>; empty for any other header.</summary>
    public static ReadOnlySpan<char> CredentialOf(string authorization) =>
        authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization.AsSpan(BearerPrefix.Length).Trim() : [];

    /// <summary>
    /// A JWT: three non-empty base64url segments, the first a JSON header (<c>eyJ</c> is <c>{"</c>). A tenant key
    /// (<see cref="ApiKeySecret"/>) never looks like that, so it is told apart without parsing.
    /// </summary>
    public static bool IsShaped(ReadOnlySpan<char> credential)
    {
        if (!credential.StartsWith("eyJ", StringComparison.Ordinal))
        {
            return false;
        }
        var segments = 0;
        foreach (var range in credential.Split('.'))
        {
            var segment = credential[range];
            if (++segments > 3 || segment.IsEmpty || segment.ContainsAnyExcept(Base64UrlChars))
            {
                return false;
            }
        }
        return segments == 3;
    }

    /// <summary>
    /// The claims of a validated token; null unless it names a tenant and a key, and has the <c>agent</c> scope and a
    /// run, or the <c>realtime</c> scope.
    /// </summary>
    public static DelegatedKeyToken? From(ClaimsIdentity identity)
    {
        if (!Guid.TryParse(identity.FindFirst(InternalTokenClaims.TenantId)?.Value, out var tenantId)
            || !Guid.TryParse(identity.FindFirst(InternalTokenClaims.KeyId)?.Value, out var keyId))
        {
            return null;
        }
        if (identity.HasClaim(InternalTokenClaims.Scope, TenancyExtensions.AgentScope))
        {
            return Guid.TryParse(identity.FindFirst(InternalTokenClaims.RunId)?.Value, out var runId) ? new DelegatedKeyToken(tenantId, keyId, runId) : null;
        }
        return identity.HasClaim(InternalTokenClaims.Scope, TenancyExtensions.RealtimeScope) ? new DelegatedKeyToken(tenantId, keyId, null) : null;
    }
}
