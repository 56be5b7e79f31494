using System.Text.Json;

namespace Gateway.Services;

/// <summary>Billing's operator API (custom plans, subscriptions), reached with an operator's internal token.</summary>
public sealed class BillingAdminClient(HttpClient http, InternalTokenIssuer tokens)
{
    /// <summary>Sends <paramref name="body"/> to <c>/api/v1/billing/admin/{path}</c> and relays Billing's answer as it is.</summary>
    public async Task<IResult> PutAsync(string path, JsonElement body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/billing/admin/{path}") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", tokens.IssueForOperator());
        using var response = await http.SendAsync(request, cancellationToken);
        return TypedResults.Content(await response.Content.ReadAsStringAsync(cancellationToken),
            response.Content.Headers.ContentType?.ToString() ?? "application/json", statusCode: (int)response.StatusCode);
    }
}
