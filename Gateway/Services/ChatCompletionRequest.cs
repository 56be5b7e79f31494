namespace Gateway.Services;

/// <summary>An OpenAI chat completion request, validated and translated for the Orchestrator.</summary>
public sealed record ChatCompletionRequest(
    string Model,
    bool Stream,
    bool IncludeUsage,
    IList<Microsoft.Extensions.AI.ChatMessage> Messages,
    ChatExecutionOptions Options);
