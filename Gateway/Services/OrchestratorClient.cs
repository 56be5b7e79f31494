using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Model;
using Microsoft.Extensions.AI;

namespace Gateway.Services;

/// <summary>
/// The Orchestrator, reached by service discovery with the tenant's internal token. It runs the provider call;
/// this side only sends, and reads the answer or the stream.
/// </summary>
public sealed class OrchestratorClient(HttpClient http, InternalTokenCache tokens)
{
    public async Task<ExecutionResult<ChatResponse>> ChatAsync(TenantKey key, ChatExecutionRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(key, "internal/v1/chat", request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response.IsSuccessStatusCode
            ? new((await response.Content.ReadFromJsonAsync<ChatResponse>(ExecutionJson.Options, cancellationToken))!, null, RouteInfo.From(response))
            : new(null, await ErrorAsync(response, cancellationToken), RouteInfo.From(response));
    }

    /// <summary>Starts a streamed chat; on success the caller reads NDJSON lines until the end and disposes the response.</summary>
    public async Task<(HttpResponseMessage? Stream, ExecutionError? Error, RouteInfo? Route)> ChatStreamAsync(TenantKey key, ChatExecutionRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(key, "internal/v1/chat/stream", request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return (response, null, RouteInfo.From(response));
        }
        using (response)
        {
            return (null, await ErrorAsync(response, cancellationToken), RouteInfo.From(response));
        }
    }

    public async Task<ExecutionResult<EmbeddingExecutionResponse>> EmbedAsync(TenantKey key, EmbeddingExecutionRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(key, "internal/v1/embeddings", request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response.IsSuccessStatusCode
            ? new((await response.Content.ReadFromJsonAsync<EmbeddingExecutionResponse>(ExecutionJson.Options, cancellationToken))!, null, null)
            : new(null, await ErrorAsync(response, cancellationToken), null);
    }

    public static async IAsyncEnumerable<ChatStreamLine> ReadLinesAsync(HttpResponseMessage response, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0 && JsonSerializer.Deserialize<ChatStreamLine>(line, ExecutionJson.Options) is { } parsed)
            {
                yield return parsed;
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync<T>(TenantKey key, string path, T body, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body, options: ExecutionJson.Options),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.For(key));
        return await http.SendAsync(request, completion, cancellationToken);
    }

    private static async Task<ExecutionError> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            if (await response.Content.ReadFromJsonAsync<ExecutionError>(ExecutionJson.Options, cancellationToken) is { } error)
            {
                return error;
            }
        }
        catch (JsonException)
        {
            // Not one of ours: described below.
        }
        return new ExecutionError(StatusCodes.Status502BadGateway, $"The orchestrator answered {(int)response.StatusCode}.", "api_error", "orchestrator_error");
    }
}

/// <summary>A provider's answer, or why there is none, and how the route went.</summary>
public readonly record struct ExecutionResult<T>(T? Value, ExecutionError? Error, RouteInfo? Route);

/// <summary>The Orchestrator's account of a route: the model that answered (if any), the strategy, the attempts.</summary>
public sealed record RouteInfo(string? Model, string Strategy, string Attempts)
{
    public static RouteInfo? From(HttpResponseMessage response) =>
        response.Headers.TryGetValues(RouteHeaders.Strategy, out var strategy)
            ? new RouteInfo(
                response.Headers.TryGetValues(RouteHeaders.Model, out var model) ? model.First() : null,
                strategy.First(),
                response.Headers.TryGetValues(RouteHeaders.Attempts, out var attempts) ? attempts.First() : "0")
            : null;
}
