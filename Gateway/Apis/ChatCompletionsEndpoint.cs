using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.Apis;

/// <summary>
/// <c>POST /v1/chat/completions</c>: reads and checks the request, hands it to the chat pipeline
/// (<see cref="ChatPipeline"/>), and writes what comes back, whole or as server-sent events, with the headers that
/// say how it was served.
/// </summary>
public static class ChatCompletionsEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, ModelCatalog catalog, ExactCache cache, IChatClient pipeline, AgentRunsClient agents)
    {
        var key = http.TenantKey();
        var (request, invalid) = await RequestBody.ReadAsync(http, ChatCompletionReader.Read);
        if (invalid is not null)
        {
            return invalid;
        }
        // An agent's run makes its own model calls, each through this endpoint's pipeline.
        if (AgentCompletions.Addresses(request!))
        {
            return await AgentCompletions.HandleAsync(http, request!, agents);
        }
        // Named models are checked here, before anything is spent; "auto" is decided in the pipeline, on a cache miss.
        var (route, candidates, routeError) = RoutePlanning.IsAuto(request!) ? (null, [], null) : RoutePlanning.Plan(catalog, key, request!);
        if (routeError is not null)
        {
            return routeError;
        }
        // A grounded answer depends on documents that change: never from the caches.
        var cacheKey = request!.Retrieval is null ? cache.KeyFor(http.Request, key, request) : null;
        var refresh = cacheKey is not null && ExactCache.Refreshes(http.Request);
        var call = new ChatCall
        {
            Key = key,
            Request = request,
            Usage = http.Usage(),
            InputTokenEstimate = http.Request.ContentLength.GetValueOrDefault() / 4,
            Candidates = candidates,
            Route = route,
            CacheKey = cacheKey,
            RefreshCache = refresh,
            CachedAnswer = cacheKey is null || refresh ? null : cache.GetAsync(cacheKey),
        };
        call.Usage.Model = candidates.Count > 0 ? candidates[0] : null;
        call.Usage.Stream = request.Stream;

        if (!request.Stream)
        {
            try
            {
                var response = await pipeline.GetResponseAsync(request.Messages, call.ToOptions(), http.RequestAborted);
                WriteHeaders(http, call, RouteInfo.Of(response.AdditionalProperties));
                return new CompletionResult(response, ModelNamed(http, call), call.Citations);
            }
            catch (ChatCallException failure)
            {
                WriteHeaders(http, call, failure.Route);
                return OpenAiErrors.From(http, failure.Error);
            }
        }

        // The first update decides the answer's status: a failure before it is a plain error, after it an error event.
        var updates = pipeline.GetStreamingResponseAsync(request.Messages, call.ToOptions(), http.RequestAborted).GetAsyncEnumerator(http.RequestAborted);
        try
        {
            var any = await updates.MoveNextAsync();
            WriteHeaders(http, call, any ? RouteInfo.Of(updates.Current.AdditionalProperties) : null);
            return new StreamResult(updates, any, call);
        }
        catch (ChatCallException failure)
        {
            await updates.DisposeAsync();
            WriteHeaders(http, call, failure.Route);
            return OpenAiErrors.From(http, failure.Error);
        }
        catch
        {
            await updates.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// How the request was served: its limits, the cache, the route decided and taken, the sources. When the Router
    /// chose the keyless local model, <c>x-route</c> says it was the only one available.
    /// </summary>
    private static void WriteHeaders(HttpContext http, ChatCall call, RouteInfo? route)
    {
        var headers = http.Response.Headers;
        call.Limit?.WriteHeaders(headers);
        if (call.Usage.Cache != CacheStatus.None)
        {
            headers["x-cache"] = call.Usage.Cache;
        }
        if (call.Similarity is { } similarity)
        {
            headers["x-semantic-similarity"] = similarity.ToString("0.0000", CultureInfo.InvariantCulture);
        }
        var decided = call.Route?.DecisionId is not null;
        if (decided)
        {
            headers["x-route-decision"] = call.Route!.DecisionId;
        }
        if (call.Citations is { } citations)
        {
            // Streams carry their sources here only; whole answers in a citations array too.
            headers["x-citations"] = citations.Count == 0 ? "none" : string.Join(", ", citations.Select(c => $"{c.DocumentId}#{c.ChunkIndex}"));
        }
        if (route is not null)
        {
            var onlyLocal = decided && route.Model?.Provider == ModelCatalog.LocalProvider ? "; no other chat model is available to this key" : "";
            headers["x-route"] = route.Model is null ? $"strategy={route.Strategy}" : $"{route.Model.QualifiedId}; strategy={route.Strategy}; attempts={route.Attempts}{onlyLocal}";
        }
    }

    /// <summary>
    /// The answer's <c>model</c>: the name requested, as it was asked; for an agent run's step, the model that answered
    /// (<c>provider/model</c>), which the run prices the step by, as OpenAI names the snapshot that answered.
    /// </summary>
    private static string ModelNamed(HttpContext http, ChatCall call) =>
        http.Features.Get<AgentRunStep>() is not null && call.Usage.Model is { } answered ? answered.QualifiedId : call.Request.Model;

    private sealed class CompletionResult(ChatResponse response, string model, IReadOnlyList<Citation>? citations) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
            ChatCompletionWriter.WriteCompletion(json, response, model, http.Usage(), citations);
        }
    }

    /// <summary>Relays the pipeline's updates as OpenAI's SSE; disposing them settles the call, however the stream ends.</summary>
    private sealed class StreamResult(IAsyncEnumerator<ChatResponseUpdate> updates, bool any, ChatCall call) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            await using (updates)
            {
                var writer = new ChatCompletionWriter.Stream(http.Response, ModelNamed(http, call), call.Request.IncludeUsage);
                try
                {
                    for (var more = any; more; more = await updates.MoveNextAsync())
                    {
                        await writer.WriteAsync(updates.Current, http.RequestAborted);
                    }
                }
                catch (ChatCallException failure)
                {
                    call.Usage.ErrorCode = failure.Error.Code;
                    await writer.FailAsync(failure.Error, http.RequestAborted);
                    return;
                }
                await writer.CompleteAsync(http.RequestAborted);
            }
        }
    }
}
