using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Platform.Vectors;

public static class LocalEmbeddingExtensions
{
    /// <summary>
    /// The keyless embedding model, one per process. With <paramref name="warmUp"/>, it is loaded as the service
    /// starts (in the background) so that the first request does not wait for it.
    /// </summary>
    public static IHostApplicationBuilder AddLocalEmbeddings(this IHostApplicationBuilder builder, bool warmUp)
    {
        builder.Services.AddOptions<LocalEmbeddingOptions>().BindConfiguration(LocalEmbeddingOptions.Section);
        builder.Services.TryAddSingleton<LocalEmbeddingGenerator>();
        if (warmUp)
        {
            builder.Services.AddHostedService<LocalEmbeddingWarmup>();
        }
        return builder;
    }

    private sealed class LocalEmbeddingWarmup(LocalEmbeddingGenerator embeddings) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => embeddings.GenerateAsync(["warm up"], cancellationToken: stoppingToken);
    }
}
