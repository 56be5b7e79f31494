namespace Gateway.Services;

/// <summary>The Analytics service: the event-bus pings it received (the admin API's diagnostics).</summary>
public sealed class AnalyticsClient(HttpClient http)
{
    public async Task<PingReceipt?> GetPingReceiptAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"api/v1/analytics/diagnostics/pings/{id}", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<PingReceipt>(cancellationToken);
    }
}

public sealed record PingReceipt(Guid Id, string? TraceId, DateTimeOffset PublishedAt, DateTimeOffset ReceivedAt);
