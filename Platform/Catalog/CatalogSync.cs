using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using StackExchange.Redis;

namespace Platform.Catalog;

/// <summary>
/// The catalog's changes made through the admin API live in Redis; every service holding a catalog loads them at
/// start, again whenever a change is announced on NATS, and every half minute in case an announcement was missed.
/// </summary>
public sealed partial class CatalogSync(IConnectionMultiplexer redis, INatsConnection nats, ModelCatalog catalog, ILogger<CatalogSync> logger) : BackgroundService
{
    public const string ChangedSubject = "catalog.changed";
    private const string ChangesKey = "catalog:models";
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(30);

    /// <summary>Adds or replaces <c>provider/model</c> and tells every service.</summary>
    public static async Task SetAsync(IConnectionMultiplexer redis, INatsConnection nats, string provider, ProviderModelOptions model, CancellationToken cancellationToken)
    {
        await redis.GetDatabase().HashSetAsync(ChangesKey, $"{provider}/{model.Id}", JsonSerializer.Serialize(model, JsonSerializerOptions.Web));
        await nats.PublishAsync(ChangedSubject, $"{provider}/{model.Id}", cancellationToken: cancellationToken);
    }

    /// <summary>Removes the change to <c>provider/model</c> (a configured model returns to its configuration); false if there was none.</summary>
    public static async Task<bool> RemoveAsync(IConnectionMultiplexer redis, INatsConnection nats, string qualifiedId, CancellationToken cancellationToken)
    {
        if (!await redis.GetDatabase().HashDeleteAsync(ChangesKey, qualifiedId))
        {
            return false;
        }
        await nats.PublishAsync(ChangedSubject, qualifiedId, cancellationToken: cancellationToken);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = ReloadPeriodicallyAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReloadAsync();
                await foreach (var _ in nats.SubscribeAsync<string>(ChangedSubject, cancellationToken: stoppingToken))
                {
                    await ReloadAsync();
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.Interrupted(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ReloadPeriodicallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ReloadInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ReloadAsync();
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Log.Interrupted(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ReloadAsync()
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(ChangesKey);
        catalog.Apply(entries.ToDictionary(e => (string)e.Name!, e => JsonSerializer.Deserialize<ProviderModelOptions>((string)e.Value!, JsonSerializerOptions.Web)!, StringComparer.Ordinal));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Catalog changes could not be loaded; retrying.")]
        public static partial void Interrupted(ILogger logger, Exception exception);
    }
}
