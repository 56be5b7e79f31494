using Microsoft.Extensions.AI;

namespace Gateway.Chat;

/// <summary>
/// The Orchestrator's account of a route: the model that answered (if any), the strategy, the attempts. It travels
/// with the answer, in the response's (or the first update's) additional properties, to the endpoint's <c>x-route</c>.
/// </summary>
public sealed record RouteInfo(CatalogModel? Model, string Strategy, string Attempts)
{
    private const string PropertyName = "gateway.route";

    public static RouteInfo? From(HttpResponseMessage response, ModelCatalog catalog) =>
        response.Headers.TryGetValues(RouteHeaders.Strategy, out var strategy)
            ? new RouteInfo(
                response.Headers.TryGetValues(RouteHeaders.Model, out var model) ? catalog.Find(model.First()).Model : null,
                strategy.First(),
                response.Headers.TryGetValues(RouteHeaders.Attempts, out var attempts) ? attempts.First() : "0")
            : null;

    public static RouteInfo? Of(AdditionalPropertiesDictionary? properties) =>
        properties?.TryGetValue(PropertyName, out var route) == true ? route as RouteInfo : null;

    public void AttachTo(AdditionalPropertiesDictionary properties) => properties[PropertyName] = this;

    /// <summary>The answer as a cache keeps it: without the route this call took, which a later hit did not take.</summary>
    public static ChatResponse Without(ChatResponse response)
    {
        if (Of(response.AdditionalProperties) is null)
        {
            return response;
        }
        AdditionalPropertiesDictionary? rest = response.AdditionalProperties!.Count > 1 ? new(response.AdditionalProperties) : null;
        rest?.Remove(PropertyName);
        return new ChatResponse(response.Messages)
        {
            ResponseId = response.ResponseId,
            ConversationId = response.ConversationId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = response.Usage,
            AdditionalProperties = rest,
        };
    }
}
