using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.Agents;

/// <summary>
/// <c>model: "agent/&lt;name&gt;"</c> on <c>/v1/chat/completions</c>: the conversation starts a run of the tenant's
/// agent, and the answer is the run's, whole or streamed as it is written. In a stream, each tool step is a chunk
/// with no choices and an <c>agent_step</c> (our extension), so OpenAI SDKs read the text and pass the steps by. The
/// run's model calls go through this Gateway's pipeline one by one (limits, budgets, caches, routing, metering).
/// </summary>
public static class AgentCompletions
{
    public const string ModelPrefix = "agent/";

    /// <summary>The <c>metadata</c> key naming the conversation a request continues, for an agent's hot memory.</summary>
    public const string ConversationMetadata = "conversation_id";

    public static bool Addresses(ChatCompletionRequest request) => request.Model.StartsWith(ModelPrefix, StringComparison.Ordinal);

    public static async Task<IResult> HandleAsync(HttpContext http, ChatCompletionRequest request, AgentRunsClient agents)
    {
        var (runId, error) = await agents.StartAsync(request.Model[ModelPrefix.Length..], request.Messages, request.Options.User,
            request.Metadata?.GetValueOrDefault(ConversationMetadata), http.RequestAborted);
        if (error is not null)
        {
            return OpenAiErrors.From(http, error);
        }
        http.Response.Headers["x-agent-run"] = runId.ToString();
        var events = agents.FollowAsync(runId, http.RequestAborted);
        if (request.Stream)
        {
            return new StreamResult(events, request);
        }
        await foreach (var @event in events)
        {
            if (@event.Ends)
            {
                return Ended(@event) is { } failure
                    ? OpenAiErrors.From(http, failure)
                    : new CompletionResult(@event.Data, request.Model, runId);
            }
        }
        throw new OperationCanceledException("The client left before the run ended.");
    }

    /// <summary>The error a run ended with, or null when it succeeded.</summary>
    private static ExecutionError? Ended(AgentRunEvent @event) => @event.Type == "run.succeeded"
        ? null
        : @event.Data.GetProperty("error") is var error
            ? new ExecutionError(error.GetProperty("status").GetInt32(), error.GetProperty("message").GetString() ?? "", error.GetProperty("type").GetString() ?? "api_error",
                error.TryGetProperty("code", out var code) ? code.GetString() : null,
                error.TryGetProperty("retry_after_seconds", out var wait) && wait.ValueKind == JsonValueKind.Number ? wait.GetDouble() : null)
            : null;

    private static UsageDetails UsageOf(JsonElement ended)
    {
        var usage = ended.GetProperty("usage");
        var (input, output) = (usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64());
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    private static void WriteRun(Utf8JsonWriter json, Guid runId, JsonElement ended)
    {
        json.WriteStartObject("agent_run");
        json.WriteString("id", runId);
        json.WriteNumber("cost", ended.GetProperty("cost").GetDecimal());
        json.WriteEndObject();
    }

    private sealed class CompletionResult(JsonElement succeeded, string model, Guid runId) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, succeeded.GetProperty("answer").GetString()))
            {
                Usage = UsageOf(succeeded),
                FinishReason = ChatFinishReason.Stop,
            };
            http.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
            ChatCompletionWriter.WriteCompletion(json, response, model, http.Usage(), cost: succeeded.GetProperty("cost").GetDecimal(), extension: writer => WriteRun(writer, runId, succeeded));
        }
    }

    /// <summary>
    /// The run's text as the models write it, and its tool steps as they happen. A follow taken up again after a
    /// break may have missed pieces of text: each model step's stored event has all of it, and what was not yet sent is.
    /// </summary>
    private sealed class StreamResult(IAsyncEnumerable<AgentRunEvent> events, ChatCompletionRequest request) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var writer = new ChatCompletionWriter.Stream(http.Response, request.Model, request.IncludeUsage);
            var sent = new Dictionary<int, int>();
            var completed = new HashSet<int>();
            await writer.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, ""), http.RequestAborted);
            await foreach (var @event in events)
            {
                switch (@event.Type)
                {
                    case "delta":
                        var step = @event.Data.GetProperty("step").GetInt32();
                        if (!completed.Contains(step))
                        {
                            await SendAsync(writer, sent, step, @event.Data.GetProperty("text").GetString() ?? "", fromStart: false, http.RequestAborted);
                        }
                        break;
                    // A draft (the agent has a critic) is not the answer until its review passes: the run's end brings that.
                    case "model.step" when !@event.Data.GetProperty("draft").GetBoolean():
                        var stored = @event.Data.GetProperty("step").GetInt32();
                        completed.Add(stored);
                        await SendAsync(writer, sent, stored, @event.Data.GetProperty("text").GetString() ?? "", fromStart: true, http.RequestAborted);
                        break;
                    case "tool.call" or "tool.result" or "tool.refused":
                        await writer.WriteExtensionAsync(json =>
                        {
                            json.WriteStartObject("agent_step");
                            json.WriteString("type", @event.Type);
                            foreach (var property in @event.Data.EnumerateObject())
                            {
                                property.WriteTo(json);
                            }
                            json.WriteEndObject();
                        }, http.RequestAborted);
                        break;
                    case "run.succeeded":
                        if (sent.Count == 0)
                        {
                            await writer.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, @event.Data.GetProperty("answer").GetString()), http.RequestAborted);
                        }
                        await writer.WriteAsync(new ChatResponseUpdate { Contents = [new UsageContent(UsageOf(@event.Data))], FinishReason = ChatFinishReason.Stop }, http.RequestAborted);
                        writer.Cost = @event.Data.GetProperty("cost").GetDecimal();
                        await writer.CompleteAsync(http.RequestAborted);
                        return;
                    case "run.failed" or "run.cancelled":
                        var failure = Ended(@event)!;
                        http.Usage().ErrorCode = failure.Code;
                        await writer.FailAsync(failure, http.RequestAborted);
                        return;
                }
            }
        }

        /// <summary>
        /// Sends a step's text: a live piece as it comes, or from a stored step's whole text what was not yet sent.
        /// </summary>
        private static async Task SendAsync(ChatCompletionWriter.Stream writer, Dictionary<int, int> sent, int step, string text, bool fromStart, CancellationToken cancellationToken)
        {
            var already = sent.GetValueOrDefault(step);
            var piece = fromStart ? (text.Length > already ? text[already..] : "") : text;
            if (piece.Length == 0)
            {
                return;
            }
            sent[step] = already + piece.Length;
            await writer.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, piece), cancellationToken);
        }
    }
}
