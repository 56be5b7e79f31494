namespace Gateway.OpenAi;

/// <summary>
/// An OpenAI chat completion request, validated and translated for the Orchestrator. Two extensions choose the
/// route: <c>fallbacks</c> (models to try in turn if the first fails) and <c>route</c> (a strategy and its models);
/// <c>retrieval</c> grounds the answer in the tenant's documents. <c>metadata</c> (OpenAI's string pairs) names an
/// agent run's conversation as <c>conversation_id</c>.
/// </summary>
public sealed record ChatCompletionRequest(
    string Model,
    bool Stream,
    bool IncludeUsage,
    IList<Microsoft.Extensions.AI.ChatMessage> Messages,
    ChatExecutionOptions Options,
    IList<string> Fallbacks,
    RouteRequest? Route,
    RetrievalRequest? Retrieval = null,
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>The <c>route</c> extension: <c>{"strategy": "single|parallel|cascade", "models": [...], "hedge": 2}</c>.</summary>
public sealed record RouteRequest(string Strategy, IList<string> Models, int Hedge);

/// <summary>The <c>retrieval</c> extension: <c>true</c> or <c>{"top": 4}</c>, the tenant's chunks to put in context.</summary>
public sealed record RetrievalRequest(int Top)
{
    public const int DefaultTop = 4;
}
