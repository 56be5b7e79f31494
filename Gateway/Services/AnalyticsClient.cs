namespace Gateway.Services;

/// <summary>The Analytics service, reached through service discovery with an operator's internal token.</summary>
public sealed class AnalyticsClient(HttpClient http, InternalTokenIssuer tokens)
{
    public async Task<PingReceipt?> GetPingReceiptAsync(Guid id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/analytics/diagnostics/pings/{id}");
        request.Headers.Authorization = new("Bearer", tokens.IssueForOperator());
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<PingReceipt>(cancellationToken);
    }
}

public sealed record PingReceipt(Guid Id, string? TraceId, DateTimeOffset PublishedAt, DateTimeOffset ReceivedAt);
