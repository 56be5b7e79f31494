using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Platform.Catalog;

public static class CatalogExtensions
{
    public const string ProvidersSection = "Providers";

    /// <summary>
    /// The model catalog from <c>Providers:*</c> with the admin API's changes (from Redis, announced on NATS: the
    /// service needs both clients); the Router's decisions plug in on top of it.
    /// </summary>
    public static IHostApplicationBuilder AddModelCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Dictionary<string, ProviderOptions>>().BindConfiguration(ProvidersSection);
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.AddHostedService<CatalogSync>();
        return builder;
    }
}
