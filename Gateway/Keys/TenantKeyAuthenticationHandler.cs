using Platform.Contracts.Realtime;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Gateway.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Keys;

/// <summary>
/// Tenant API keys, and portal sessions (keys of kind <c>session</c>): <c>Authorization: Bearer &lt;key&gt;</c>, or on a
/// WebSocket the subprotocol <c>bearer.&lt;key&gt;</c> (<see cref="RealtimeProtocol.CredentialPrefix"/>), found by
/// its hash (<see cref="TenantKeyStore"/>). A live key authenticates, and rides on the request's features; whether
/// its tenant is active and it holds an endpoint's scope is the policies' to say (<see cref="KeyScopeRequirement"/>).
/// </summary>
public sealed class TenantKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TenantKeyStore keys, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        ReadOnlySpan<char> presented;
        if (header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            presented = header.AsSpan(BearerPrefix.Length).Trim();
        }
        else if (Context.WebSockets.IsWebSocketRequest && RealtimeProtocol.CredentialOf(Request.Headers.SecWebSocketProtocol) is { } offered)
        {
            presented = offered;
        }
        else
        {
            return Refuse(new KeyRefusal(StatusCodes.Status401Unauthorized, null, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."));
        }
        if (presented.IsEmpty || presented.Length > ApiKeySecret.MaxLength)
        {
            return Refuse(KeyRefusal.InvalidKey("Incorrect API key provided."));
        }
        var key = await keys.FindAsync(ApiKeySecret.Hash(presented), Context.RequestAborted);
        if (key is null || key.RevokedAt is not null)
        {
            return Refuse(KeyRefusal.InvalidKey("Incorrect API key provided."));
        }
        if (key.ExpiresAt <= time.GetUtcNow())
        {
            return Refuse(KeyRefusal.InvalidKey("This API key has expired."));
        }
        // The key itself is what the policies and the endpoints read; the principal only names its tenant.
        Context.Features.Set(key);
        var identity = new ClaimsIdentity([new Claim(InternalTokenClaims.TenantId, key.TenantId.ToString())], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private AuthenticateResult Refuse(KeyRefusal refusal)
    {
        Context.Features.Set(refusal);
        return AuthenticateResult.Fail(refusal.Message);
    }
}

public static class TenantKeyHttpContextExtensions
{
    /// <summary>The key this request was authenticated with (<see cref="TenantKeyAuthenticationHandler"/>).</summary>
    public static TenantKey TenantKey(this HttpContext http) =>
        http.Features.Get<TenantKey>() ?? throw new InvalidOperationException("The endpoint is not behind a tenant key policy.");
}
