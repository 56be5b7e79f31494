using Microsoft.Extensions.Diagnostics.HealthChecks;
using NATS.Client.Core;

namespace Platform.Messaging;

internal sealed class NatsHealthCheck(INatsConnection connection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var roundTrip = await connection.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy($"PING {roundTrip.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"NATS is {connection.ConnectionState}.", ex);
        }
    }
}
