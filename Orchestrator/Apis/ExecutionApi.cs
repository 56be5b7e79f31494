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
        api.MapPost("/chat", Chat);
        api.MapPost("/chat/stream", ChatStream);
        api.MapPost("/embeddings", Embed);
        return app;
    }

    public static async Task<IResult> Chat(HttpRequest http, ProviderClients providers, TokenCounter tokens, CancellationToken cancellationToken)
    {
        var request = await ReadAsync<ChatExecutionRequest>(http, cancellationToken);
        if (providers.Chat(request.Provider, request.Model) is not { } client)
        {
            return Failure(UnknownModel(request.Provider, request.Model));
        }
        try
        {
            var response = await client.GetResponseAsync(request.Messages, request.Options.ToChatOptions(request.Model), cancellationToken);
            response.Usage ??= Count(tokens, request.Messages, response.Text);
            return TypedResults.Json(response, ExecutionJson.Options);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return Failure(ProviderErrors.From(ex, request.Provider));
        }
    }

    public static async Task ChatStream(HttpContext http, ProviderClients providers, TokenCounter tokens, CancellationToken cancellationToken)
    {
        var request = await ReadAsync<ChatExecutionRequest>(http.Request, cancellationToken);
        if (providers.Chat(request.Provider, request.Model) is not { } client)
        {
            await Failure(UnknownModel(request.Provider, request.Model)).ExecuteAsync(http);
            return;
        }

        await using var updates = client.GetStreamingResponseAsync(request.Messages, request.Options.ToChatOptions(request.Model), cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        bool more;
        try
        {
            // A provider that fails before its first token gets a plain error status, not a broken stream.
            more = await updates.MoveNextAsync();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await Failure(ProviderErrors.From(ex, request.Provider)).ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "application/x-ndjson";
        var output = new System.Text.StringBuilder();
        var usageSeen = false;
        try
        {
            while (more)
            {
                var update = updates.Current;
                usageSeen |= update.Contents.Any(c => c is UsageContent);
                output.Append(update.Text);
                await WriteLineAsync(http, new ChatStreamLine(update, null), cancellationToken);
                more = await updates.MoveNextAsync();
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await WriteLineAsync(http, new ChatStreamLine(null, ProviderErrors.From(ex, request.Provider)), cancellationToken);
            return;
        }

        if (!usageSeen)
        {
            // Peers lose usage on streams; here the tokenizer counts what the provider did not report.
            var counted = new ChatResponseUpdate { Contents = [new UsageContent(Count(tokens, request.Messages, output.ToString()))] };
            await WriteLineAsync(http, new ChatStreamLine(counted, null), cancellationToken);
        }
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
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(line, ExecutionJson.Options), cancellationToken);
        await http.Response.Body.WriteAsync(NewLine, cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    private static UsageDetails Count(TokenCounter tokens, IEnumerable<ChatMessage> messages, string output)
    {
        var input = tokens.Count(messages);
        var produced = tokens.Count(output);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = produced, TotalTokenCount = input + produced };
    }

    private static ExecutionError UnknownModel(string provider, string model) =>
        new(StatusCodes.Status404NotFound, $"The model '{provider}/{model}' does not exist.", "invalid_request_error", "model_not_found");

    private static JsonHttpResult<ExecutionError> Failure(ExecutionError error) => TypedResults.Json(error, ExecutionJson.Options, statusCode: error.Status);
}
