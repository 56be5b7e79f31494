using System.Text.Json;
using Gateway.Model;
using Gateway.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Gateway.Apis;

/// <summary>
/// <c>POST /v1/chat/completions</c>: validate, resolve the model, check limits, reserve against the budgets and look
/// in the exact cache in one Redis round trip, then answer from the cache or through the Orchestrator, whole or streamed.
/// </summary>
public static class ChatCompletionsEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext http, ModelCatalog catalog, OrchestratorClient orchestrator, RouterClient router, RateLimiter limiter, BudgetGuard budgets, ExactCache cache,
        SemanticCache semanticCache, KnowledgeClient knowledge, IOptions<GatewayOptions> options)
    {
        var key = http.TenantKey();
        var (request, invalid) = await RequestBody.ReadAsync(http, ChatCompletionReader.Read);
        if (invalid is not null)
        {
            return invalid;
        }
        // Named models are checked here, before anything is spent; "auto" is decided only on a cache miss.
        RoutePlan? route = null;
        if (!RoutePlanning.IsAuto(request!))
        {
            (route, var routeError) = RoutePlanning.Plan(catalog, key, request!);
            if (routeError is not null)
            {
                return routeError;
            }
        }
        var usage = http.Usage();
        usage.Model = route is null ? null : catalog.Find(route.Candidates[0].ToString()).Model;
        usage.Stream = request!.Stream;

        // Issued together, so the limits, the budgets and the cache cost one round trip to Redis. The token estimate
        // (about four bytes a token, plus the most the model may write) is settled once the true usage is known; the
        // budget reservation prices it at the dearest model that may answer.
        // A grounded answer depends on documents that change: never from the exact cache.
        var cacheKey = request.Retrieval is null ? cache.KeyFor(http.Request, key, request) : null;
        var refresh = cacheKey is not null && ExactCache.Refreshes(http.Request);
        var inputTokens = http.Request.ContentLength.GetValueOrDefault() / 4;
        var admitting = limiter.AdmitAsync(key, inputTokens + (request.Options.MaxOutputTokens ?? 0));
        var reserving = budgets.ReserveAsync(key, EstimatedCost(catalog, key, route, inputTokens, request.Options.MaxOutputTokens ?? options.Value.BudgetOutputTokenEstimate));
        var lookingUp = cacheKey is null || refresh ? Task.FromResult<ChatResponse?>(null) : cache.GetAsync(cacheKey);
        var limit = await admitting;
        usage.Reservation = await reserving;
        var cached = await lookingUp;
        limit.WriteHeaders(http.Response.Headers);
        if (!limit.Admitted)
        {
            return OpenAiErrors.RateLimited(http, limit);
        }
        if (!usage.Reservation.Admitted)
        {
            limiter.Settle(limit, 0);
            return OpenAiErrors.InsufficientQuota(http, usage.Reservation);
        }

        // An exact miss may still be a question asked before in other words.
        var semantic = cached is null ? await semanticCache.QueryForAsync(key, request, cacheKey, orchestrator, usage, http.RequestAborted) : null;
        if (semantic is not null && !refresh && await semanticCache.GetAsync(semantic) is { } similar)
        {
            cached = similar.Response;
            usage.Cache = CacheStatus.SemanticHit;
            http.Response.Headers["x-semantic-similarity"] = similar.Similarity.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            usage.Cache = cacheKey is null ? CacheStatus.Bypass : refresh ? CacheStatus.Refresh : cached is null ? CacheStatus.Miss : CacheStatus.Hit;
        }
        http.Response.Headers["x-cache"] = usage.Cache;
        if (cached is not null)
        {
            // No provider was called: nothing to meter but the request.
            limiter.Settle(limit, 0);
            return request.Stream ? new CachedStreamResult(cached, request.Model, request.IncludeUsage) : new CompletionResult(cached, request.Model);
        }

        var decided = route is null;
        if (route is null)
        {
            var (decision, decisionError) = await router.DecideAsync(key, RoutePlanning.DescribeForRouter(key, request, http.Request.ContentLength.GetValueOrDefault()), http.RequestAborted);
            if (decisionError is not null)
            {
                limiter.Settle(limit, 0);
                return decisionError;
            }
            route = decision!.Route;
            http.Response.Headers["x-route-decision"] = decision.DecisionId;
        }
        List<Citation>? citations = null;
        if (request.Retrieval is { } retrieval && request.Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text is { Length: > 0 } question)
        {
            citations = await knowledge.SearchAsync(key, question, retrieval.Top, http.RequestAborted);
            // Streams carry their sources here only; whole answers in a citations array too.
            http.Response.Headers["x-citations"] = citations.Count == 0 ? "none" : string.Join(", ", citations.Select(c => $"{c.DocumentId}#{c.ChunkIndex}"));
        }
        var messages = citations is { Count: > 0 } ? KnowledgeClient.Ground(request.Messages, citations) : request.Messages;
        var execution = new ChatExecutionRequest(route, messages, request.Options);
        if (!request.Stream)
        {
            var result = await orchestrator.ChatAsync(key, execution, http.RequestAborted);
            Answered(http, catalog, usage, result.Route, decided);
            usage.InputTokens = result.Value?.Usage?.InputTokenCount ?? 0;
            usage.OutputTokens = result.Value?.Usage?.OutputTokenCount ?? 0;
            limiter.Settle(limit, result.Value?.Usage?.TotalTokenCount ?? 0);
            if (result.Error is { } error)
            {
                return OpenAiApi.ErrorResult(http, error);
            }
            if (cacheKey is not null)
            {
                cache.Store(cacheKey, result.Value!);
            }
            if (semantic is not null)
            {
                semanticCache.Store(semantic, result.Value!);
            }
            return new CompletionResult(result.Value!, request.Model, citations);
        }

        var (stream, streamError, streamRoute) = await orchestrator.ChatStreamAsync(key, execution, http.RequestAborted);
        Answered(http, catalog, usage, streamRoute, decided);
        if (streamError is not null)
        {
            limiter.Settle(limit, 0);
            return OpenAiApi.ErrorResult(http, streamError);
        }
        using (stream)
        {
            var writer = new ChatCompletionWriter.Stream(http.Response, request.Model, request.IncludeUsage);
            try
            {
                if (await StreamAsync(http, stream!, writer) && cacheKey is not null)
                {
                    cache.Store(cacheKey, writer.ToResponse());
                    if (semantic is not null)
                    {
                        semanticCache.Store(semantic, writer.ToResponse());
                    }
                }
            }
            finally
            {
                usage.InputTokens = writer.Usage?.InputTokenCount ?? 0;
                usage.OutputTokens = writer.Usage?.OutputTokenCount ?? 0;
                usage.ErrorCode = writer.Error?.Code;
                limiter.Settle(limit, writer.Usage?.TotalTokenCount ?? 0);
            }
        }
        return TypedResults.Empty;
    }

    /// <summary>What the request may cost at most: at the dearest of its candidates, or of every chat model the key may use for "auto".</summary>
    private static decimal EstimatedCost(ModelCatalog catalog, TenantKey key, RoutePlan? route, long inputTokens, long outputTokens)
    {
        var models = route is null
            ? catalog.Models.Where(m => !m.IsEmbedding && ModelAccess.Allows(key, m))
            : route.Candidates.Select(c => catalog.Find(c.ToString()).Model).OfType<CatalogModel>();
        return models.Select(m => m.CostOf(inputTokens, outputTokens)).DefaultIfEmpty(0).Max();
    }

    /// <summary>
    /// Names the model that answered (<c>x-route</c>) and meters its prices, not the first candidate's. When the Router
    /// chose the keyless local model, the header says it was the only one available.
    /// </summary>
    private static void Answered(HttpContext http, ModelCatalog catalog, UsageRecord usage, RouteInfo? route, bool decided)
    {
        if (route is null)
        {
            return;
        }
        var onlyLocal = decided && route.Model?.StartsWith(ModelCatalog.LocalProvider + "/", StringComparison.Ordinal) == true
            ? "; no other chat model is available to this key" : "";
        http.Response.Headers["x-route"] = route.Model is null ? $"strategy={route.Strategy}" : $"{route.Model}; strategy={route.Strategy}; attempts={route.Attempts}{onlyLocal}";
        if (route.Model is not null && catalog.Find(route.Model).Model is { } answered)
        {
            usage.Model = answered;
        }
    }

    /// <summary>Relays the Orchestrator's NDJSON as OpenAI SSE; true when the stream ended normally.</summary>
    private static async Task<bool> StreamAsync(HttpContext http, HttpResponseMessage stream, ChatCompletionWriter.Stream writer)
    {
        try
        {
            await foreach (var line in OrchestratorClient.ReadLinesAsync(stream, http.RequestAborted))
            {
                if (line.Error is { } error)
                {
                    await writer.FailAsync(error, http.RequestAborted);
                    return false;
                }
                await writer.WriteAsync(line.Update!, http.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException && !http.RequestAborted.IsCancellationRequested)
        {
            await writer.FailAsync(new ExecutionError(StatusCodes.Status502BadGateway, "The stream from the orchestrator broke off.", "api_error", "orchestrator_error"), http.RequestAborted);
            return false;
        }
        await writer.CompleteAsync(http.RequestAborted);
        return true;
    }

    private sealed class CompletionResult(ChatResponse response, string model, IReadOnlyList<Citation>? citations = null) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
            ChatCompletionWriter.WriteCompletion(json, response, model, http.Usage(), citations);
        }
    }

    /// <summary>A cached answer to a streaming request, streamed: the same events a provider's stream would produce.</summary>
    private sealed class CachedStreamResult(ChatResponse response, string model, bool includeUsage) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var writer = new ChatCompletionWriter.Stream(http.Response, model, includeUsage);
            var message = response.Messages.LastOrDefault() ?? new ChatMessage(ChatRole.Assistant, "");
            List<AIContent> contents = [.. message.Contents];
            if (response.Usage is { } usage)
            {
                contents.Add(new UsageContent(usage));
            }
            await writer.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, contents) { ResponseId = response.ResponseId, FinishReason = response.FinishReason }, http.RequestAborted);
            await writer.CompleteAsync(http.RequestAborted);
        }
    }
}
