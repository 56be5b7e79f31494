using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Web.Services;

namespace Web.Extensions;

public static class AccountEndpoints
{
    /// <summary>Sign-out: ends a tenant admin's Gateway session too, then the cookie. (Sign-in is the page /account/sign-in.)</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/sign-out", async (HttpContext http, GatewayClient gateway) =>
        {
            if (http.User.IsInRole(PortalSession.TenantRole) && http.User.FindFirstValue(PortalSession.TokenClaim) is { } session)
            {
                await gateway.EndSessionAsync(session, http.RequestAborted);
            }
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/account/sign-in");
        });
        return app;
    }
}
