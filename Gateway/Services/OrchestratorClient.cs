using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.Services;

/// <summary>
/// The Orchestrator: it runs the provider calls (this side only sends, and reads the answer or the stream), and shows
/// operators its providers.
/// </summary>
public sealed class OrchestratorClient(HttpClient http, ModelCatalog catalog)
{
    public async Task<ExecutionResult<ChatResponse>> ChatAsync(ChatExecutionRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("internal/v1/chat", request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response.IsSuccessStatusCode
            ? new((await response.Content.ReadFromJsonAsync<ChatResponse>(ExecutionJson.Options, cancellationToken))!, null, RouteInfo.From(response, catalog))
            : new(null, await ErrorAsync(response, cancellationToken), RouteInfo.From(response, catalog));
    }

    /// <summary>Starts a streamed chat; on success the caller reads NDJSON lines until the end and disposes the response.</summary>
    public async Task<(HttpResponseMessage? Stream, ExecutionError? Error, RouteInfo? Route)> ChatStreamAsync(ChatExecutionRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync("internal/v1/chat/stream", request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return (response, null, RouteInfo.From(response, catalog));
        }
        using (response)
        {
            return (null, await ErrorAsync(response, cancellationToken), RouteInfo.From(response, catalog));
        }
    }

    public async Task<ExecutionResult<EmbeddingExecutionResponse>> EmbedAsync(EmbeddingExecutionRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("internal/v1/embeddings", request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response.IsSuccessStatusCode
            ? new((await response.Content.ReadFromJsonAsync<EmbeddingExecutionResponse>(ExecutionJson.Options, cancellationToken))!, null, null)
            : new(null, await ErrorAsync(response, cancellationToken), null);
    }

    /// <summary>Its providers, their models and each model's circuit, relayed as the Orchestrator answers.</summary>
    public async Task<IResult> GetProvidersAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("api/v1/orchestrator/providers", cancellationToken);
        return await InternalServices.RelayAsync(response, cancellationToken);
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

    private async Task<HttpResponseMessage> SendAsync<T>(string path, T body, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(body, options: ExecutionJson.Options),
        };
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
