using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Platform.Tenancy;

/// <summary>Mints the short-lived signed token that carries a tenant from the Gateway to the services.</summary>
public sealed class InternalTokenIssuer(IOptions<InternalTokenOptions> options, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials = new(InternalTokenKey.From(options.Value), SecurityAlgorithms.HmacSha256);

    /// <summary>A token that acts for <paramref name="tenantId"/>, through the API key <paramref name="keyId"/>.</summary>
    public string IssueForTenant(Guid tenantId, string? keyId = null)
    {
        List<Claim> claims = [new(InternalTokenClaims.TenantId, tenantId.ToString())];
        if (keyId is not null)
        {
            claims.Add(new Claim(InternalTokenClaims.KeyId, keyId));
        }
        return Issue(claims);
    }

    /// <summary>A token for an operator's call through the admin API; it acts for no tenant.</summary>
    public string IssueForOperator() => Issue([new Claim(InternalTokenClaims.Scope, TenancyExtensions.OperatorScope)]);

    /// <summary>
    /// A token for the model calls of one agent run, which the Gateway accepts on <c>/v1</c> as the key
    /// <paramref name="keyId"/> that started the run.
    /// </summary>
    public string IssueForAgentRun(Guid tenantId, Guid keyId, Guid runId) => Issue(
    [
        new Claim(InternalTokenClaims.TenantId, tenantId.ToString()),
        new Claim(InternalTokenClaims.KeyId, keyId.ToString()),
        new Claim(InternalTokenClaims.Scope, TenancyExtensions.AgentScope),
        new Claim(InternalTokenClaims.RunId, runId.ToString()),
    ]);

    /// <summary>
    /// A token for the model calls of a Realtime WebSocket session, which the Gateway accepts on <c>/v1</c> as the key
    /// <paramref name="keyId"/> the session was opened with.
    /// </summary>
    public string IssueForRealtimeSession(Guid tenantId, Guid keyId) => Issue(
    [
        new Claim(InternalTokenClaims.TenantId, tenantId.ToString()),
        new Claim(InternalTokenClaims.KeyId, keyId.ToString()),
        new Claim(InternalTokenClaims.Scope, TenancyExtensions.RealtimeScope),
    ]);

    private string Issue(List<Claim> claims)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.Value.Lifetime,
            SigningCredentials = _credentials,
        });
    }
}
