using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gateway.Keys;

/// <summary>
/// An agent run's token in place of a tenant key (<c>Authorization: Bearer &lt;token&gt;</c>): a valid internal token
/// with the <c>agent</c> scope authenticates as the key that started the run while that key is live, so the run's
/// model calls meet the key's scopes, limits and budgets. Every failure reads as a wrong key; the log says which.
/// </summary>
public sealed class AgentRunAuthenticationHandler(
    IOptionsMonitor<AgentRunAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, TenantKeyStore keys, TimeProvider time)
    : AuthenticationHandler<AgentRunAuthenticationOptions>(options, logger, encoder)
{
    private static readonly KeyRefusal Refusal = KeyRefusal.InvalidKey("Incorrect API key provided.");
    private static readonly JsonWebTokenHandler Tokens = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credential = AgentRunToken.CredentialOf(Request.Headers.Authorization.ToString()).ToString();
        var validated = await Tokens.ValidateTokenAsync(credential, Options.TokenValidationParameters);
        if (!validated.IsValid)
        {
            return Refuse($"The token failed validation ({validated.Exception?.GetType().Name}).");
        }
        if (AgentRunToken.From(validated.ClaimsIdentity) is not { } token)
        {
            return Refuse("The token is not an agent run's: it needs the agent scope, a tenant, a key and a run.");
        }
        var key = await keys.FindByIdAsync(token.TenantId, token.KeyId, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null || key.ExpiresAt <= time.GetUtcNow())
        {
            return Refuse("The agent run's key is not its tenant's, or is revoked or expired.");
        }
        Context.Features.Set(key);
        Context.Features.Set(new AgentRunStep(token.RunId));
        var identity = new ClaimsIdentity(
            [new Claim(InternalTokenClaims.TenantId, key.TenantId.ToString()), new Claim(InternalTokenClaims.RunId, token.RunId.ToString())], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private AuthenticateResult Refuse(string reason)
    {
        Context.Features.Set(Refusal);
        return AuthenticateResult.Fail(reason);
    }
}
