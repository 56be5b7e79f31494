using System.Text.Json;
using Microsoft.Extensions.Hosting;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Integration;

/// <summary>Synthetic usage events, published straight to JetStream as the Gateway would, with a ground truth to compare against.</summary>
public static class UsageReplay
{
    public static readonly (string Model, decimal InputPrice, decimal OutputPrice)[] Models =
        [("mock/mock-1", 1m, 2m), ("mock/mock-weak", 0.1m, 0.2m), ("mock/mock-strong", 5m, 15m)];

    /// <summary><paramref name="count"/> events of this month for <paramref name="tenantId"/> over a few keys and models; some failed, some cached.</summary>
    public static List<UsageIntegrationEvent> Generate(Guid tenantId, int count, int seed, Guid[]? keys = null)
    {
        var random = new Random(seed);
        keys ??= [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        var now = DateTimeOffset.UtcNow;
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var span = Math.Min(3600, (now - monthStart).TotalSeconds);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var (model, inputPrice, outputPrice) = Models[random.Next(Models.Length)];
            var status = random.Next(20) == 0 ? 502 : 200;
            var cache = status != 200 ? CacheStatus.Miss : random.Next(10) == 0 ? CacheStatus.Hit : CacheStatus.Miss;
            var charged = status == 200 && cache == CacheStatus.Miss;
            long input = random.Next(1, 4000), output = status == 200 ? random.Next(1, 1500) : 0;
            return new UsageIntegrationEvent
            {
                TenantId = tenantId,
                KeyId = keys[random.Next(keys.Length)],
                Endpoint = "chat.completions",
                Model = model,
                Provider = "mock",
                InputTokens = input,
                OutputTokens = output,
                Cost = charged ? Cost(input, output, inputPrice, outputPrice) : 0,
                InputPricePerMillion = charged ? inputPrice : 0,
                OutputPricePerMillion = charged ? outputPrice : 0,
                LatencyMs = 5 + random.NextDouble() * random.Next(1, 2000),
                Cache = cache,
                StatusCode = status,
                OccurredAt = now.AddSeconds(-random.NextDouble() * span),
            };
        })];
    }

    /// <summary>Events that together cost <paramref name="cost"/> exactly (at mock-1's prices: $1 per million input tokens).</summary>
    public static List<UsageIntegrationEvent> Costing(Guid tenantId, decimal cost, Guid? keyId = null)
    {
        var tokens = (long)(cost * 1_000_000m);
        return [new UsageIntegrationEvent
        {
            TenantId = tenantId,
            KeyId = keyId ?? Guid.NewGuid(),
            Endpoint = "chat.completions",
            Model = "mock/mock-1",
            Provider = "mock",
            InputTokens = tokens,
            Cost = Cost(tokens, 0, 1m, 2m),
            InputPricePerMillion = 1m,
            OutputPricePerMillion = 2m,
            LatencyMs = 10,
            Cache = CacheStatus.Miss,
            StatusCode = 200,
        }];
    }

    public static decimal Cost(long input, long output, decimal inputPrice, decimal outputPrice) => (input * inputPrice + output * outputPrice) / 1_000_000m;

    /// <summary>
    /// Publishes each event under its own message id plus <paramref name="messageIdSuffix"/>: a suffix makes JetStream
    /// store a duplicate (as a redelivery past its dedupe window would), so only the consumers' idempotence is left to drop it.
    /// </summary>
    public static async Task PublishAsync(PlatformFixture platform, IEnumerable<UsageIntegrationEvent> events, string messageIdSuffix = "")
    {
        await using var nats = new NatsConnection(NatsClientExtensions.ToOptions(platform.Application.GetConnectionString("nats"), "usage-replay"));
        var jetStream = new NatsJSContext(nats);
        foreach (var chunk in events.Chunk(500))
        {
            await Task.WhenAll(chunk.Select(async usage =>
                (await jetStream.PublishAsync(UsageIntegrationEvent.Subject, JsonSerializer.SerializeToUtf8Bytes(usage, JsonSerializerOptions.Web),
                    opts: new NatsJSPubOpts { MsgId = usage.Id + messageIdSuffix }, cancellationToken: TestContext.Current.CancellationToken)).EnsureSuccess()));
        }
    }
}
