using System.Text.Json;

namespace Gateway.Services;

/// <summary>The Router, asked for a decision when a request says <c>model: "auto"</c>.</summary>
public sealed class RouterClient(HttpClient http)
{
    public async Task<(RoutingDecision? Decision, ExecutionError? Error)> DecideAsync(DecisionRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/v1/router/decide") { Content = JsonContent.Create(request, options: ExecutionJson.Options) };
        using var response = await http.SendAsync(message, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return (await response.Content.ReadFromJsonAsync<RoutingDecision>(ExecutionJson.Options, cancellationToken), null);
        }
        var detail = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("detail").GetString()
            : null;
        return response.StatusCode == System.Net.HttpStatusCode.UnprocessableEntity
            ? (null, new ExecutionError(StatusCodes.Status422UnprocessableEntity, detail ?? "No model fits this request and the routing policy.", OpenAiErrors.InvalidRequest, "no_eligible_model", Param: "model"))
            : (null, new ExecutionError(StatusCodes.Status503ServiceUnavailable, "The router is unavailable; name a model instead of auto, or retry.", "service_unavailable", "router_unavailable", 1));
    }
}
