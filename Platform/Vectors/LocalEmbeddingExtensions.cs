using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Platform.Vectors;

public static class LocalEmbeddingExtensions
{
    /// <summary>
    /// The keyless embedding model, one per process. With <paramref name="warmUp"/> (the service's default for
    /// <see cref="LocalEmbeddingOptions.WarmUp"/>), it is loaded as the service starts (in the background) so that the
    /// first request does not wait for it. <paramref name="threads"/> is the
    /// service's default for <see cref="LocalEmbeddingOptions.Threads"/>: every core (0) where passes are batches of
    /// documents, one where they are mostly a single short question, which a second thread makes barely faster (4.5
    /// against 4.8 ms here) for half as much CPU again (7 against 4.8 ms).
    /// </summary>
    public static IHostApplicationBuilder AddLocalEmbeddings(this IHostApplicationBuilder builder, bool warmUp, int threads = 0)
    {
        builder.Services.AddOptions<LocalEmbeddingOptions>()
            .Configure(options => (options.Threads, options.WarmUp) = (threads, warmUp))
            .BindConfiguration(LocalEmbeddingOptions.Section);
        builder.Services.TryAddSingleton<LocalEmbeddingGenerator>();
        builder.Services.AddHostedService<LocalEmbeddingWarmup>();
        return builder;
    }

    private sealed class LocalEmbeddingWarmup(LocalEmbeddingGenerator embeddings, IOptions<LocalEmbeddingOptions> options) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
            options.Value.WarmUp ? embeddings.GenerateAsync(["warm up"], cancellationToken: stoppingToken) : Task.CompletedTask;
    }
}
