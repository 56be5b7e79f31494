using Web.Services;

namespace Web.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();

        // The portal reaches the platform only through the Gateway's public API.
        builder.Services.AddHttpClient<GatewayClient>(client => client.BaseAddress = new Uri("https+http://gateway"));
    }
}
