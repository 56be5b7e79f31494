using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gateway.Keys;

/// <summary>
/// A service's token in place of a tenant key (<c>Authorization: Bearer &lt;token&gt;</c>): a valid internal token of
/// an agent run or a Realtime session (<see cref="DelegatedKeyToken"/>) authenticates as its key while that key is
/// live, so their model calls meet the key's scopes, limits and budgets. Every failure reads as a wrong key; the log
/// says which.
/// </summary>
public sealed class DelegatedKeyAuthenticationHandler(
    IOptionsMonitor<DelegatedKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder, TenantKeyStore keys, TimeProvider time)
    : AuthenticationHandler<DelegatedKeyAuthenticationOptions>(options, logger, encoder)
{
    private static readonly KeyRefusal Refusal = KeyRefusal.InvalidKey("Incorrect API key provided.");
    private static readonly JsonWebTokenHandler Tokens = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credential = DelegatedKeyToken.CredentialOf(Request.Headers.Authorization.ToString()).ToString();
        var validated = await Tokens.ValidateTokenAsync(credential, Options.TokenValidationParameters);
        if (!validated.IsValid)
        {
            return Refuse($"The token failed validation ({validated.Exception?.GetType().Name}).");
        }
        if (DelegatedKeyToken.From(validated.ClaimsIdentity) is not { } token)
        {
            return Refuse("The token acts for no key: it needs a tenant, a key, and the agent scope with a run or the realtime scope.");
        }
        var key = await keys.FindByIdAsync(token.TenantId, token.KeyId, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null || key.ExpiresAt <= time.GetUtcNow())
        {
            return Refuse("The token's key is not its tenant's, or is revoked or expired.");
        }
        Context.Features.Set(key);
        List<Claim> claims = [new(InternalTokenClaims.TenantId, key.TenantId.ToString())];
        if (token.RunId is { } runId)
        {
            Context.Features.Set(new AgentRunStep(runId));
            claims.Add(new Claim(InternalTokenClaims.RunId, runId.ToString()));
        }
        var identity = new ClaimsIdentity(claims, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private AuthenticateResult Refuse(string reason)
    {
        Context.Features.Set(Refusal);
        return AuthenticateResult.Fail(reason);
    }
}
