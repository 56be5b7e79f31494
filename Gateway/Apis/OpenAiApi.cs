using System.Text.Json.Serialization;
using Gateway.Model;
using Gateway.Services;

namespace Gateway.Apis;

/// <summary>The OpenAI-compatible API: any OpenAI SDK pointed at <c>http://localhost:8000/v1</c> with a tenant key.</summary>
public static class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("v1").AddEndpointFilter(new TenantKeyFilter(ApiKeyScopes.Inference));
        api.MapGet("/models", ListModels);
        return app;
    }

    /// <summary>The models this key may use, as OpenAI lists them.</summary>
    public static IResult ListModels(HttpContext http, ModelCatalog catalog)
    {
        var key = http.TenantKey();
        var models = catalog.Models
            .Where(m => ModelAccess.Allows(key, m))
            .Select(m => new ModelInfo(m.QualifiedId, "model", 0, m.Provider))
            .ToList();
        return TypedResults.Json(new ModelList("list", models), OpenAiJsonContext.Default.ModelList);
    }
}

public sealed record ModelList([property: JsonPropertyName("object")] string ObjectType, List<ModelInfo> Data);

public sealed record ModelInfo(string Id, [property: JsonPropertyName("object")] string ObjectType, long Created, string OwnedBy);
