using System.Text.Json;
using NATS.Client.Core;

namespace Gateway.Keys;

/// <summary>Every Gateway instance hears every invalidation, so a revoked key stops working everywhere at once.</summary>
public sealed partial class KeyInvalidationListener(INatsConnection nats, TenantKeyStore keys, ILogger<KeyInvalidationListener> logger) : BackgroundService
{
    public static async Task BroadcastAsync(INatsConnection nats, KeyInvalidation invalidation, CancellationToken cancellationToken) =>
        await nats.PublishAsync(KeyInvalidation.Subject, JsonSerializer.SerializeToUtf8Bytes(invalidation, GatewayJsonContext.Default.KeyInvalidation), cancellationToken: cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var message in nats.SubscribeAsync<byte[]>(KeyInvalidation.Subject, cancellationToken: stoppingToken))
                {
                    if (message.Data is { } data && JsonSerializer.Deserialize(data, GatewayJsonContext.Default.KeyInvalidation) is { } invalidation)
                    {
                        keys.Evict(invalidation);
                    }
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.Interrupted(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Key invalidation subscription interrupted; resubscribing.")]
        public static partial void Interrupted(ILogger logger, Exception exception);
    }
}
