using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Web.Services;

/// <summary>Who is signed in to the portal, and the Gateway credential their calls carry.</summary>
public sealed class PortalSession(AuthenticationStateProvider authentication)
{
    public const string OperatorRole = "operator";
    public const string TenantRole = "tenant";
    public const string TokenClaim = "gateway_token";
    public const string TenantIdClaim = "tenant_id";
    public const string TenantNameClaim = "tenant_name";

    public async Task<string> TokenAsync() =>
        (await authentication.GetAuthenticationStateAsync()).User.FindFirstValue(TokenClaim)
            ?? throw new InvalidOperationException("Nobody is signed in.");

    /// <summary>The principal a sign-in puts in the cookie.</summary>
    public static ClaimsPrincipal Principal(string role, string name, string token, Guid? tenantId = null, string? tenantName = null)
    {
        List<Claim> claims = [new(ClaimTypes.Name, name), new(ClaimTypes.Role, role), new(TokenClaim, token)];
        if (tenantId is { } id)
        {
            claims.Add(new Claim(TenantIdClaim, id.ToString()));
            claims.Add(new Claim(TenantNameClaim, tenantName ?? ""));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "portal"));
    }
}
