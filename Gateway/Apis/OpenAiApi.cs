using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Apis;

/// <summary>The OpenAI-compatible API: any OpenAI SDK pointed at <c>http://localhost:8000/v1</c> with a tenant key.</summary>
public static class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("v1")
            .RequireAuthorization(GatewayAuthentication.InferencePolicy)
            .AddEndpointFilter<UsageRecordingFilter>();
        api.MapGet("/models", ListModels);
        api.MapPost("/chat/completions", ChatCompletionsEndpoint.HandleAsync);
        api.MapPost("/embeddings", Embeddings);
        // Anything else under /v1 answers as OpenAI does for an unknown route.
        app.Map("v1/{**rest}", (HttpRequest request) =>
            OpenAiErrors.Create(StatusCodes.Status404NotFound, $"Invalid URL ({request.Method} {request.Path})."));
        return app;
    }

    /// <summary>The models this key may use, as OpenAI lists them.</summary>
    public static IResult ListModels(HttpContext http, ModelCatalog catalog)
    {
        var key = http.TenantKey();
        // "auto" first: the Router picks among the models below under the tenant's policy.
        var models = catalog.Models
            .Where(m => ModelAccess.Allows(key, m))
            .Select(m => new ModelInfo(m.QualifiedId, "model", 0, m.Provider))
            .Prepend(new ModelInfo(RoutePlanning.Auto, "model", 0, "router"))
            .ToList();
        return TypedResults.Json(new ModelList("list", models), OpenAiJsonContext.Default.ModelList);
    }

    public static async Task<IResult> Embeddings(HttpContext http, ModelCatalog catalog, OrchestratorClient orchestrator, RateLimiter limiter, BudgetGuard budgets)
    {
        var key = http.TenantKey();
        var (request, invalid) = await RequestBody.ReadAsync(http, EmbeddingRequest.Read);
        if (invalid is not null)
        {
            return invalid;
        }
        var resolved = ModelAccess.Resolve(catalog, key, request!.Model, embedding: true);
        if (resolved.Error is { } modelError)
        {
            return modelError;
        }
        var model = resolved.Model!;
        http.Usage().Model = model;
        http.Usage().Cache = CacheStatus.Bypass;
        var estimatedTokens = request.Inputs.Sum(i => (long)i.Length) / 4;
        var admitting = limiter.AdmitAsync(key, estimatedTokens);
        // Characters, not a quarter of them: an upper bound of the tokens, so the reservation covers the cost.
        var reserving = budgets.ReserveAsync(key, model.CostOf(estimatedTokens * 4, 0));
        var limit = await admitting;
        http.Usage().Reservation = await reserving;
        limit.WriteHeaders(http.Response.Headers);
        if (!limit.Admitted)
        {
            return OpenAiErrors.From(http, limit.ToError());
        }
        if (!http.Usage().Reservation.Admitted)
        {
            limiter.Settle(limit, 0);
            return OpenAiErrors.From(http, http.Usage().Reservation.ToError());
        }
        var result = await orchestrator.EmbedAsync(new EmbeddingExecutionRequest(model.Provider, model.Model.Id, request.Inputs, request.Dimensions), http.RequestAborted);
        http.Usage().InputTokens = result.Value?.InputTokens ?? 0;
        limiter.Settle(limit, result.Value?.InputTokens ?? 0);
        if (result.Error is { } error)
        {
            return OpenAiErrors.From(http, error);
        }
        return new EmbeddingsResult(result.Value!, model.QualifiedId, request.Base64);
    }

    private sealed class EmbeddingsResult(EmbeddingExecutionResponse response, string model, bool base64) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            for (var i = 0; i < response.Vectors.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", i);
                if (base64)
                {
                    // OpenAI's SDKs ask for base64: the float32 values, little-endian, as bytes.
                    json.WriteBase64String("embedding", System.Runtime.InteropServices.MemoryMarshal.AsBytes(response.Vectors[i].AsSpan()));
                }
                else
                {
                    json.WriteStartArray("embedding");
                    foreach (var value in response.Vectors[i])
                    {
                        json.WriteNumberValue(value);
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("model", model);
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", response.InputTokens);
            json.WriteNumber("total_tokens", response.InputTokens);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }
}

public sealed record ModelList([property: JsonPropertyName("object")] string ObjectType, List<ModelInfo> Data);

public sealed record ModelInfo(string Id, [property: JsonPropertyName("object")] string ObjectType, long Created, string OwnedBy);
