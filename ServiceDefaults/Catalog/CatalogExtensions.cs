using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class CatalogExtensions
{
    public const string ProvidersSection = "Providers";

    /// <summary>The static model catalog from <c>Providers:*</c>; the Router's decisions plug in on top of it.</summary>
    public static IHostApplicationBuilder AddModelCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Dictionary<string, ProviderOptions>>().BindConfiguration(ProvidersSection);
        builder.Services.TryAddSingleton<ModelCatalog>();
        return builder;
    }
}
