using NATS.Client.Core;
using NATS.Client.JetStream;
using Platform.Contracts;
using Platform.Messaging;
using Xunit;

namespace Platform.Testing;

/// <summary>Usage events published straight to JetStream as the Gateway would, for Billing's tests.</summary>
public static class UsageReplay
{
    /// <summary>One event that costs <paramref name="cost"/> exactly (at mock-1's prices: $1 per million input tokens).</summary>
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
    /// Publishes each event under its own id plus <paramref name="messageIdSuffix"/>: a suffix makes JetStream store a
    /// duplicate (as a redelivery past its dedupe window would), so only the consumers' idempotence is left to drop it.
    /// </summary>
    public static async Task PublishAsync(PlatformFixture platform, IEnumerable<UsageIntegrationEvent> events, string messageIdSuffix = "")
    {
        await using var nats = new NatsConnection(NatsClientExtensions.ToOptions(platform.App.GetConnectionString("nats"), "usage-replay"));
        await SyntheticUsage.PublishAsync(new NatsJSContext(nats), events.Select(e => (e, e.Id + messageIdSuffix)), TestContext.Current.CancellationToken);
    }
}
