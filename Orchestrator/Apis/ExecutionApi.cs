using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.AI;
using Orchestrator.Services;

namespace Orchestrator.Apis;

/// <summary>
/// What the Gateway calls for each request, with the tenant's internal token: run a chat (whole or streamed as
/// NDJSON) or embeddings against a catalog model. Usage is always reported, counted when the provider does not.
/// </summary>
public static class ExecutionApi
{
    public static IEndpointRouteBuilder MapExecutionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("internal/v1").RequireAuthorization(TenancyExtensions.TenantPolicy);
        var routes = api.MapGroup("/chat").AddEndpointFilter(async (context, next) =>
        {
            var load = context.HttpContext.RequestServices.GetRequiredService<ExecutionLoad>();
            load.Started();
            try
            {
                return await next(context);
            }
            finally
            {
                load.Finished();
            }
        });
        routes.MapPost("/", Chat);
        routes.MapPost("/stream", ChatStream);
        api.MapPost("/embeddings", Embed);
        return app;
    }

    public static async Task<IResult> Chat(HttpContext http, RouteExecutor executor, RouteOutcomes outcomes, ProviderQuotas quotas, TenantContext tenant, CancellationToken cancellationToken)
    {
        var request = await ReadAsync<ChatExecutionRequest>(http.Request, cancellationToken);
        var result = await executor.ExecuteAsync(request, cancellationToken);
        outcomes.Report(tenant.RequiredTenantId, request.Route, result.AnsweredBy, result.Attempts);
        if (result.AnsweredBy is { } answeredBy)
        {
            quotas.Record(answeredBy.Provider, result.Response?.Usage?.TotalTokenCount ?? 0);
        }
        WriteRoute(http.Response, request.Route, result.AnsweredBy, result.Attempts);
        return result.Response is { } response
            ? TypedResults.Json(response, ExecutionJson.Options)
            : Failure(result.Error!);
    }

    public static async Task ChatStream(
        HttpContext http, RouteExecutor executor, RouteOutcomes outcomes, ProviderQuotas quotas, TenantContext tenant, TokenCounter tokens, CancellationToken cancellationToken)
    {
        var request = await ReadAsync<ChatExecutionRequest>(http.Request, cancellationToken);
        // A route that fails before its first token gets a plain error status, not a broken stream.
        await using var stream = await executor.StreamAsync(request, cancellationToken);
        WriteRoute(http.Response, request.Route, stream.AnsweredBy, stream.Attempts);
        if (stream.Error is { } error)
        {
            outcomes.Report(tenant.RequiredTenantId, request.Route, null, stream.Attempts);
            await Failure(error).ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "application/x-ndjson";
        var output = new System.Text.StringBuilder();
        UsageDetails? usage = null;
        try
        {
            await foreach (var update in stream.ReadAllAsync(cancellationToken))
            {
                usage ??= update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
                output.Append(update.Text);
                await WriteLineAsync(http, new ChatStreamLine(update, null), cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await WriteLineAsync(http, new ChatStreamLine(null, ProviderErrors.From(ex, stream.AnsweredBy!.Provider)), cancellationToken);
            outcomes.Report(tenant.RequiredTenantId, request.Route, null, stream.Attempts);
            return;
        }
        outcomes.Report(tenant.RequiredTenantId, request.Route, stream.AnsweredBy, stream.Attempts);

        if (usage is null)
        {
            // Peers lose usage on streams; here the tokenizer counts what the provider did not report.
            usage = tokens.Usage(request.Messages, output.ToString());
            await WriteLineAsync(http, new ChatStreamLine(new ChatResponseUpdate { Contents = [new UsageContent(usage)] }, null), cancellationToken);
        }
        quotas.Record(stream.AnsweredBy!.Provider, usage.TotalTokenCount ?? 0);
    }

    public static async Task<IResult> Embed(HttpRequest http, ProviderClients providers, TokenCounter tokens, CancellationToken cancellationToken)
    {
        var request = await ReadAsync<EmbeddingExecutionRequest>(http, cancellationToken);
        if (providers.Embeddings(request.Provider, request.Model) is not { } generator)
        {
            return Failure(UnknownModel(request.Provider, request.Model));
        }
        try
        {
            var embeddings = await generator.GenerateAsync(request.Inputs, new EmbeddingGenerationOptions { Dimensions = request.Dimensions }, cancellationToken);
            var inputTokens = embeddings.Usage?.InputTokenCount ?? request.Inputs.Sum(tokens.Count);
            return TypedResults.Json(new EmbeddingExecutionResponse([.. embeddings.Select(e => e.Vector.ToArray())], inputTokens), ExecutionJson.Options);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return Failure(ProviderErrors.From(ex, request.Provider));
        }
    }

    private static async Task<T> ReadAsync<T>(HttpRequest http, CancellationToken cancellationToken) where T : class
    {
        var request = await JsonSerializer.DeserializeAsync<T>(http.Body, ExecutionJson.Options, cancellationToken)
            ?? throw new BadHttpRequestException("The execution request is empty.");
        if (request is ChatExecutionRequest chat)
        {
            // A tool's result crosses the wire as a JSON string; handed on as one, providers would quote it again.
            foreach (var result in chat.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>())
            {
                if (result.Result is JsonElement { ValueKind: JsonValueKind.String } text)
                {
                    result.Result = text.GetString();
                }
            }
        }
        return request;
    }

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private static async Task WriteLineAsync(HttpContext http, ChatStreamLine line, CancellationToken cancellationToken)
    {
        // Written into the response's pipe and flushed once: one line, one chunk on the wire.
        var body = http.Response.BodyWriter;
        body.Write(JsonSerializer.SerializeToUtf8Bytes(line, ExecutionJson.Options));
        body.Write(NewLine);
        await body.FlushAsync(cancellationToken);
    }

    private static void WriteRoute(HttpResponse response, RoutePlan route, RouteCandidate? answeredBy, List<RouteAttempt> attempts)
    {
        if (answeredBy is not null)
        {
            response.Headers[RouteHeaders.Model] = answeredBy.ToString();
        }
        response.Headers[RouteHeaders.Strategy] = route.Strategy;
        response.Headers[RouteHeaders.Attempts] = attempts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ExecutionError UnknownModel(string provider, string model) =>
        new(StatusCodes.Status404NotFound, $"The model '{provider}/{model}' does not exist.", "invalid_request_error", "model_not_found");

    private static JsonHttpResult<ExecutionError> Failure(ExecutionError error) => TypedResults.Json(error, ExecutionJson.Options, statusCode: error.Status);
}
