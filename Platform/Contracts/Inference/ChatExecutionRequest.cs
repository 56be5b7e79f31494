using Microsoft.Extensions.AI;

namespace Platform.Contracts;

/// <summary>
/// What the Gateway asks the Orchestrator to run: a route (candidate models and how to use them), the conversation
/// as Microsoft.Extensions.AI messages, and the options.
/// </summary>
public sealed record ChatExecutionRequest(RoutePlan Route, IList<ChatMessage> Messages, ChatExecutionOptions Options);
