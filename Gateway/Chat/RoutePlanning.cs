using Gateway.Model;
using Microsoft.Extensions.AI;

namespace Gateway.Chat;

/// <summary>
/// Turns what a request names into a route the Orchestrator runs: the model and its <c>fallbacks</c> (SINGLE), the
/// <c>route</c> extension's strategy and models, or, for <c>model: "auto"</c>, the Router's decision under the
/// tenant's policy. Named models must exist, be chat models and be allowed for the key.
/// </summary>
public static class RoutePlanning
{
    public const string Auto = "auto";

    public static bool IsAuto(ChatCompletionRequest request) => request.Route is null && request.Model == Auto;

    /// <summary>
    /// The route of a request that names its models (not auto), checked against the catalog and the key, with the
    /// catalog's models in the route's order.
    /// </summary>
    public static (RoutePlan? Plan, IReadOnlyList<CatalogModel> Models, IResult? Error) Plan(ModelCatalog catalog, TenantKey key, ChatCompletionRequest request)
    {
        var (names, strategy, hedge) = request.Route is { } route
            ? (route.Models.Select((model, i) => (model, $"route.models[{i}]")), route.Strategy, route.Hedge)
            : (request.Fallbacks.Select((model, i) => (model, $"fallbacks[{i}]")).Prepend((request.Model, "model")), RouteStrategies.Single, 2);

        var candidates = new List<RouteCandidate>();
        var models = new List<CatalogModel>();
        foreach (var (name, param) in names)
        {
            var (model, error) = ModelAccess.Resolve(catalog, key, name, embedding: false, param);
            if (error is not null)
            {
                return (null, [], error);
            }
            var candidate = new RouteCandidate(model!.Provider, model.Model.Id);
            if (!candidates.Contains(candidate))
            {
                candidates.Add(candidate);
                models.Add(model);
            }
        }
        return (new RoutePlan(candidates, strategy, Hedge: hedge), models, null);
    }

    /// <summary>What the Router needs to know of a request: its last question, its size and what it asks of a model.</summary>
    public static DecisionRequest DescribeForRouter(TenantKey key, ChatCompletionRequest request, long inputTokens) => new()
    {
        Text = request.Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "",
        InputTokens = (int)Math.Min(inputTokens, int.MaxValue),
        MaxOutputTokens = request.Options.MaxOutputTokens,
        Tools = request.Options.Tools is { Count: > 0 },
        ResponseFormat = request.Options.ResponseFormat,
        StrictSchema = request.Options.JsonSchema?.Strict == true,
        Vision = request.Messages.SelectMany(m => m.Contents).Any(c => c is DataContent or UriContent),
        AllowedModels = key.AllowedModels,
    };
}
