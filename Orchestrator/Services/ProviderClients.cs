using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Anthropic;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace Orchestrator.Services;

/// <summary>
/// One <see cref="IChatClient"/> (and embedding generator) per catalog model, built once: the provider's client
/// wrapped in the library's own logging and OpenTelemetry middleware (GenAI semantic conventions).
/// </summary>
public class ProviderClients(
    ModelCatalog catalog,
    LocalChatClient localChat,
    LocalEmbeddingGenerator localEmbeddings,
    ILoggerFactory loggers,
    IServiceProvider services)
{
    public const string TelemetrySourceName = "Experimental.Microsoft.Extensions.AI";

    private readonly ConcurrentDictionary<string, IChatClient> _chat = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IEmbeddingGenerator<string, Embedding<float>>> _embeddings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OpenAIClient> _openAi = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AnthropicClient> _anthropic = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HttpClient> _http = new(StringComparer.Ordinal);

    /// <summary>The chat client of <c>provider/model</c>, or null when the catalog has no such chat model.</summary>
    // Virtual so the route executor's unit tests can stand in fake providers.
    public virtual IChatClient? Chat(string provider, string model) =>
        catalog.Find($"{provider}/{model}").Model is { IsEmbedding: false } entry
            ? _chat.GetOrAdd(entry.QualifiedId, _ => new ChatClientBuilder(CreateChatClient(entry))
                .UseLogging(loggers)
                .UseOpenTelemetry(loggers, TelemetrySourceName)
                .Build(services))
            : null;

    public IEmbeddingGenerator<string, Embedding<float>>? Embeddings(string provider, string model) =>
        catalog.Find($"{provider}/{model}").Model is { IsEmbedding: true } entry
            ? _embeddings.GetOrAdd(entry.QualifiedId, _ => new EmbeddingGeneratorBuilder<string, Embedding<float>>(CreateEmbeddingGenerator(entry))
                .UseLogging(loggers)
                .UseOpenTelemetry(loggers, TelemetrySourceName)
                .Build(services))
            : null;

    private IChatClient CreateChatClient(CatalogModel entry) => entry.Options.Kind switch
    {
        ProviderKinds.Local => localChat,
        ProviderKinds.OpenAi => OpenAi(entry).GetChatClient(entry.Model.Id).AsIChatClient(),
        ProviderKinds.Ollama => new OllamaApiClient(Http(entry), entry.Model.Id),
        // Anthropic needs max_tokens on every request: the model's context window bounds the default.
        ProviderKinds.Anthropic => Anthropic(entry).AsIChatClient(entry.Model.Id, defaultMaxOutputTokens: Math.Min(entry.Model.ContextWindow ?? 4096, 4096)),
        var kind => throw new NotSupportedException($"Provider kind '{kind}' ({entry.Provider}) is not supported."),
    };

    private IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(CatalogModel entry) => entry.Options.Kind switch
    {
        ProviderKinds.Local => localEmbeddings,
        ProviderKinds.OpenAi => OpenAi(entry).GetEmbeddingClient(entry.Model.Id).AsIEmbeddingGenerator(),
        ProviderKinds.Ollama => new OllamaApiClient(Http(entry), entry.Model.Id),
        var kind => throw new NotSupportedException($"Provider kind '{kind}' ({entry.Provider}) has no embeddings here."),
    };

    // Any OpenAI-compatible server (OpenAI, vLLM, Groq, Together, OpenRouter). No SDK retries: failures reach the
    // caller at once, and retry and fallback policy belongs to the Orchestrator's own resilience, not the SDK's.
    private OpenAIClient OpenAi(CatalogModel entry) => _openAi.GetOrAdd(entry.Provider, _ => new OpenAIClient(
        new ApiKeyCredential(entry.Options.ApiKey is { Length: > 0 } key ? key : "no-key"),
        new OpenAIClientOptions
        {
            Endpoint = entry.Options.BaseUrl,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromMinutes(5),
        }));

    private AnthropicClient Anthropic(CatalogModel entry) => _anthropic.GetOrAdd(entry.Provider, _ => new AnthropicClient
    {
        ApiKey = entry.Options.ApiKey is { Length: > 0 } key ? key : "no-key",
        BaseUrl = entry.Options.BaseUrl?.ToString().TrimEnd('/') ?? "https://api.anthropic.com",
        MaxRetries = 0,
        Timeout = TimeSpan.FromMinutes(5),
    });

    // Ollama speaks plain HTTP: one client per provider, long timeout for slow local models.
    private HttpClient Http(CatalogModel entry) => _http.GetOrAdd(entry.Provider, _ => new HttpClient
    {
        BaseAddress = entry.Options.BaseUrl ?? new Uri("http://localhost:11434"),
        Timeout = TimeSpan.FromMinutes(5),
    });
}
