using Gateway.Model;

namespace Gateway.Services;

/// <summary>
/// Turns what a request names into a route the Orchestrator runs: the model and its <c>fallbacks</c> (SINGLE), or
/// the <c>route</c> extension's strategy and models. Every model must exist, be a chat model and be allowed for the key.
/// </summary>
public static class RoutePlanning
{
    public static (RoutePlan? Plan, IResult? Error) Plan(ModelCatalog catalog, TenantKey key, ChatCompletionRequest request)
    {
        var (names, strategy, hedge) = request.Route is { } route
            ? (route.Models.Select((model, i) => (model, $"route.models[{i}]")), route.Strategy, route.Hedge)
            : (request.Fallbacks.Select((model, i) => (model, $"fallbacks[{i}]")).Prepend((request.Model, "model")), RouteStrategies.Single, 2);

        var candidates = new List<RouteCandidate>();
        foreach (var (name, param) in names)
        {
            var (model, error) = ModelAccess.Resolve(catalog, key, name, embedding: false, param);
            if (error is not null)
            {
                return (null, error);
            }
            var candidate = new RouteCandidate(model!.Provider, model.Model.Id);
            if (!candidates.Contains(candidate))
            {
                candidates.Add(candidate);
            }
        }
        return (new RoutePlan(candidates, strategy, Hedge: hedge), null);
    }
}
