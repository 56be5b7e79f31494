using System.Text.Json;

namespace Gateway.Services;

/// <summary>Billing's operator API (custom plans, subscriptions).</summary>
public sealed class BillingClient(HttpClient http)
{
    /// <summary>Sends <paramref name="body"/> to <c>/api/v1/billing/admin/{path}</c> and relays Billing's answer as it is.</summary>
    public async Task<IResult> PutAsync(string path, JsonElement body, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync($"api/v1/billing/admin/{path}", body, cancellationToken);
        return await InternalServices.RelayAsync(response, cancellationToken);
    }
}
