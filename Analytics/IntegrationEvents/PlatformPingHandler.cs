using System.Diagnostics;
using Analytics.Infrastructure;
using Analytics.Model;
using Microsoft.EntityFrameworkCore;

namespace Analytics.IntegrationEvents;

public sealed class PlatformPingHandler(AnalyticsDbContext db, TimeProvider time) : IIntegrationEventHandler<PlatformPingIntegrationEvent>
{
    public async Task HandleAsync(PlatformPingIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        // A redelivered ping is recorded once.
        if (await db.PingReceipts.AnyAsync(r => r.Id == integrationEvent.Id, cancellationToken))
        {
            return;
        }
        db.PingReceipts.Add(new PingReceipt
        {
            Id = integrationEvent.Id,
            TraceId = Activity.Current?.TraceId.ToHexString(),
            PublishedAt = integrationEvent.OccurredAt,
            ReceivedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
