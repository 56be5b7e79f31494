using System.Net.Http.Headers;
using Microsoft.Extensions.AI;

namespace Ingestion.Services;

/// <summary>
/// Embeddings from a configured provider model (OpenAI, Ollama, vLLM, any OpenAI-compatible server), run by the
/// Orchestrator, which holds the providers' clients, keys, retries and circuit breakers. Called for the tenant whose
/// document or query is embedded, with that tenant's internal token.
/// </summary>
public sealed class ProviderEmbeddingGenerator(HttpClient http, InternalTokenIssuer tokens, TenantContext tenant, string provider, string model)
    : IEmbeddingGenerator<string, Embedding<float>>
{
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "internal/v1/embeddings")
        {
            Content = JsonContent.Create(new EmbeddingExecutionRequest(provider, model, [.. values], options?.Dimensions), options: ExecutionJson.Options),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.IssueForTenant(tenant.RequiredTenantId));
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"Embedding with {provider}/{model} failed ({(int)response.StatusCode}): {error}", null, response.StatusCode);
        }
        var result = (await response.Content.ReadFromJsonAsync<EmbeddingExecutionResponse>(ExecutionJson.Options, cancellationToken))!;
        return new GeneratedEmbeddings<Embedding<float>>(result.Vectors.Select(vector => new Embedding<float>(EmbeddingExecutionResponse.Normalised(vector)) { ModelId = $"{provider}/{model}" }))
        {
            Usage = new UsageDetails { InputTokenCount = result.InputTokens, TotalTokenCount = result.InputTokens },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
