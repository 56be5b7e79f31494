using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Platform.Contracts;
using Platform.Messaging;
using Xunit;

namespace Platform.Testing;

/// <summary>Reads the usage events a tenant's requests put on the USAGE stream.</summary>
public static class UsageEvents
{
    public static async Task<List<UsageIntegrationEvent>> ForTenantAsync(TestPlatform platform, Guid tenantId, int expected, TimeSpan? timeout = null)
    {
        await using var nats = new NatsConnection(NatsClientExtensions.ToOptions(platform.GetConnectionString("nats"), "usage-reader"));
        var jetStream = new NatsJSContext(nats);
        var found = new List<UsageIntegrationEvent>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            found.Clear();
            var consumer = await jetStream.CreateOrUpdateConsumerAsync(EventStreams.Usage.Name, new ConsumerConfig($"reader-{Guid.NewGuid():N}")
            {
                AckPolicy = ConsumerConfigAckPolicy.None,
                InactiveThreshold = TimeSpan.FromSeconds(30),
            }, TestContext.Current.CancellationToken);
            await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 100_000 }, cancellationToken: TestContext.Current.CancellationToken))
            {
                if (message.Subject != UsageIntegrationEvent.Subject)
                {
                    continue;
                }
                var usage = JsonSerializer.Deserialize<UsageIntegrationEvent>(message.Data!, JsonSerializerOptions.Web)!;
                if (usage.TenantId == tenantId)
                {
                    found.Add(usage);
                }
            }
            await jetStream.DeleteConsumerAsync(EventStreams.Usage.Name, consumer.Info.Name, TestContext.Current.CancellationToken);
            if (found.Count >= expected)
            {
                // Wait a little more, so a duplicate would have time to show.
                await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
                return found;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        }
        return found;
    }
}
