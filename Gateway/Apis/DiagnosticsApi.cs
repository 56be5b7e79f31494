using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Apis;

public static class DiagnosticsApi
{
    public static RouteGroupBuilder MapDiagnosticsApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/diagnostics/ping", SendPing);
        admin.MapGet("/diagnostics/ping/{id:guid}", GetPing);
        return admin;
    }

    /// <summary>Publishes a ping on the event bus; Analytics records it with the trace it arrived in.</summary>
    public static async Task<Accepted<PingSent>> SendPing(EventPublisher events, CancellationToken cancellationToken)
    {
        var ping = new PlatformPingIntegrationEvent();
        await events.PublishAsync(PlatformPingIntegrationEvent.Subject, ping, cancellationToken);
        return TypedResults.Accepted($"/api/v1/admin/diagnostics/ping/{ping.Id}", new PingSent(ping.Id, Activity.Current?.TraceId.ToHexString()));
    }

    public static async Task<Results<Ok<PingReceipt>, NotFound>> GetPing(Guid id, AnalyticsClient analytics, CancellationToken cancellationToken) =>
        await analytics.GetPingReceiptAsync(id, cancellationToken) is { } receipt ? TypedResults.Ok(receipt) : TypedResults.NotFound();
}

public sealed record PingSent(Guid Id, string? TraceId);
