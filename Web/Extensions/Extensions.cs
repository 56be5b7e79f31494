using Microsoft.AspNetCore.Authentication.Cookies;
using MudBlazor.Services;
using Web.Services;

namespace Web.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();

        // A cookie session: a tenant admin's Gateway session key, or an operator's admin key, rides in it (encrypted).
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/account/sign-in";
                options.AccessDeniedPath = "/account/denied";
                options.Cookie.Name = "aip-portal";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddScoped<PortalSession>();
        // The portal reaches the platform only through the Gateway's public API. Streams and uploads run long.
#pragma warning disable EXTEXP0001 // The library's way to opt one client out of the defaults' resilience handler.
        builder.Services.AddHttpClient<GatewayClient>(client =>
        {
            client.BaseAddress = new Uri("https+http://gateway");
            client.Timeout = TimeSpan.FromMinutes(10);
        }).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        // The playground's socket, open as long as its page.
        builder.Services.AddTransient<ChatSocket>();
    }
}
