using System.Buffers;
using System.Security.Claims;

namespace Gateway.Keys;

/// <summary>
/// What an agent run's token says (<see cref="InternalTokenIssuer.IssueForAgentRun"/>): the run, and the key that
/// started it, of its tenant. The Orchestrator mints one per run, for the model calls the run makes through <c>/v1</c>.
/// </summary>
public sealed record AgentRunToken(Guid TenantId, Guid KeyId, Guid RunId)
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

    /// <summary>The claims of a validated token; null unless it has the <c>agent</c> scope and names a tenant, a key and a run.</summary>
    public static AgentRunToken? From(ClaimsIdentity identity) =>
        identity.HasClaim(InternalTokenClaims.Scope, TenancyExtensions.AgentScope)
        && Guid.TryParse(identity.FindFirst(InternalTokenClaims.TenantId)?.Value, out var tenantId)
        && Guid.TryParse(identity.FindFirst(InternalTokenClaims.KeyId)?.Value, out var keyId)
        && Guid.TryParse(identity.FindFirst(InternalTokenClaims.RunId)?.Value, out var runId)
            ? new AgentRunToken(tenantId, keyId, runId)
            : null;
}
