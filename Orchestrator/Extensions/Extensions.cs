namespace Orchestrator.Extensions;

public static class Extensions
{
    public const string ProvidersSection = "Providers";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Dictionary<string, ProviderOptions>>().BindConfiguration(ProvidersSection);

        builder.AddRedisClient("redis");
        builder.AddNatsClient("nats");
        builder.AddInternalTokenAuthentication();
    }
}
