using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Model;

namespace Gateway.Services;

/// <summary>The Router, asked for a decision when a request says <c>model: "auto"</c>, with the tenant's internal token.</summary>
public sealed class RouterClient(HttpClient http, InternalTokenCache tokens)
{
    public async Task<(RoutingDecision? Decision, IResult? Error)> DecideAsync(TenantKey key, DecisionRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/v1/router/decide") { Content = JsonContent.Create(request, options: ExecutionJson.Options) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For(key));
        using var response = await http.SendAsync(message, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return (await response.Content.ReadFromJsonAsync<RoutingDecision>(ExecutionJson.Options, cancellationToken), null);
        }
        var detail = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("detail").GetString()
            : null;
        return response.StatusCode == System.Net.HttpStatusCode.UnprocessableEntity
            ? (null, OpenAiErrors.Create(StatusCodes.Status422UnprocessableEntity, detail ?? "No model fits this request and the routing policy.", param: "model", code: "no_eligible_model"))
            : (null, OpenAiErrors.Create(StatusCodes.Status503ServiceUnavailable, "The router is unavailable; name a model instead of auto, or retry.", "service_unavailable", "router_unavailable"));
    }
}
