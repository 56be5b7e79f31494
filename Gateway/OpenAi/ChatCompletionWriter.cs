using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.OpenAi;

/// <summary>Writes Microsoft.Extensions.AI responses in OpenAI's wire format, whole or as SSE chunks.</summary>
public static class ChatCompletionWriter
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>
    /// A completion in OpenAI's shape; with <paramref name="citations"/>, a <c>citations</c> array after it (our
    /// extension), and whatever <paramref name="extension"/> writes. Its usage's cost is the record's, unless <paramref name="cost"/> says.
    /// </summary>
    public static void WriteCompletion(
        Utf8JsonWriter json, ChatResponse response, string model, UsageRecord record, IReadOnlyList<Citation>? citations = null, decimal? cost = null, Action<Utf8JsonWriter>? extension = null)
    {
        var message = response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant) ?? new ChatMessage(ChatRole.Assistant, "");
        var calls = message.Contents.OfType<FunctionCallContent>().ToList();
        json.WriteStartObject();
        json.WriteString("id", response.ResponseId ?? $"chatcmpl-{Guid.NewGuid():N}");
        json.WriteString("object", "chat.completion");
        json.WriteNumber("created", (response.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds());
        json.WriteString("model", model);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        if (message.Text is { Length: > 0 } text || calls.Count == 0)
        {
            json.WriteString("content", message.Text);
        }
        else
        {
            json.WriteNull("content");
        }
        json.WriteNull("refusal");
        if (calls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            for (var i = 0; i < calls.Count; i++)
            {
                WriteToolCall(json, calls[i], index: null);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", FinishReason(response.FinishReason, calls.Count > 0));
        json.WriteEndObject();
        json.WriteEndArray();
        if (response.Usage is { } usage)
        {
            WriteUsage(json, usage, cost ?? record.CostOf(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0));
        }
        if (citations is not null)
        {
            json.WriteStartArray("citations");
            for (var i = 0; i < citations.Count; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("index", i + 1);
                json.WriteString("document_id", citations[i].DocumentId);
                json.WriteString("document_name", citations[i].DocumentName);
                json.WriteNumber("chunk_index", citations[i].ChunkIndex);
                json.WriteString("heading", citations[i].Heading);
                json.WriteString("text", citations[i].Text);
                json.WriteNumber("score", citations[i].Score);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        extension?.Invoke(json);
        json.WriteEndObject();
    }

    /// <summary>Streams <c>chat.completion.chunk</c> events as updates arrive, the usage chunk if asked, then <c>[DONE]</c>.</summary>
    public sealed class Stream(HttpResponse response, string model, bool includeUsage)
    {
        private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        private string _id = $"chatcmpl-{Guid.NewGuid():N}";
        private bool _roleSent;
        private ChatFinishReason? _finishReason;
        private int _toolCallIndex;

        public UsageDetails? Usage { get; private set; }

        /// <summary>What the usage chunk says the answer cost; by default the request's usage record's price of its tokens.</summary>
        public decimal? Cost { get; set; }

        public async Task WriteAsync(ChatResponseUpdate update, CancellationToken cancellationToken)
        {
            _id = update.ResponseId ?? _id;
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                Usage = usage.Details;
            }
            var text = update.Text;
            var calls = update.Contents.OfType<FunctionCallContent>().ToList();
            if (text.Length > 0 || calls.Count > 0 || !_roleSent)
            {
                await WriteChunkAsync(json =>
                {
                    json.WriteStartObject("delta");
                    if (!_roleSent)
                    {
                        json.WriteString("role", "assistant");
                    }
                    if (text.Length > 0 || calls.Count == 0)
                    {
                        json.WriteString("content", text);
                    }
                    if (calls.Count > 0)
                    {
                        json.WriteStartArray("tool_calls");
                        foreach (var call in calls)
                        {
                            WriteToolCall(json, call, _toolCallIndex++);
                        }
                        json.WriteEndArray();
                    }
                    json.WriteEndObject();
                    json.WriteNull("finish_reason");
                }, cancellationToken);
                _roleSent = true;
            }
            // Written at the end: providers may report the reason before the last tool call arrives.
            _finishReason ??= update.FinishReason;
        }

        /// <summary>Ends the stream: the finish chunk, the usage chunk if asked for, and [DONE].</summary>
        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await FinishAsync(FinishReason(_finishReason, _toolCallIndex > 0), cancellationToken);
            if (includeUsage && Usage is { } usage)
            {
                await WriteEventAsync(json =>
                {
                    WriteChunkHeader(json);
                    json.WriteStartArray("choices");
                    json.WriteEndArray();
                    WriteUsage(json, usage, Cost ?? response.HttpContext.Usage().CostOf(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0));
                    json.WriteEndObject();
                }, cancellationToken);
            }
            response.BodyWriter.Write(Done);
            await response.BodyWriter.FlushAsync(cancellationToken);
        }

        /// <summary>A chunk with no choices and what <paramref name="write"/> adds (an extension OpenAI SDKs pass by).</summary>
        public Task WriteExtensionAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken) => WriteEventAsync(json =>
        {
            WriteChunkHeader(json);
            json.WriteStartArray("choices");
            json.WriteEndArray();
            write(json);
            json.WriteEndObject();
        }, cancellationToken);

        /// <summary>A provider failure after the stream began, sent as OpenAI does: an error event, no [DONE].</summary>
        public async Task FailAsync(ExecutionError error, CancellationToken cancellationToken)
        {
            await WriteEventAsync(json => WriteError(json, error), cancellationToken);
        }

        private static void WriteError(Utf8JsonWriter json, ExecutionError error)
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", error.Message);
            json.WriteString("type", error.Type);
            json.WriteNull("param");
            json.WriteString("code", error.Code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        private async Task FinishAsync(string reason, CancellationToken cancellationToken)
        {
            await WriteChunkAsync(json =>
            {
                json.WriteStartObject("delta");
                json.WriteEndObject();
                json.WriteString("finish_reason", reason);
            }, cancellationToken);
        }

        private Task WriteChunkAsync(Action<Utf8JsonWriter> choice, CancellationToken cancellationToken) => WriteEventAsync(json =>
        {
            WriteChunkHeader(json);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            choice(json);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }, cancellationToken);

        private void WriteChunkHeader(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("id", _id);
            json.WriteString("object", "chat.completion.chunk");
            json.WriteNumber("created", _created);
            json.WriteString("model", model);
        }

        private async Task WriteEventAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
        {
            if (!response.HasStarted)
            {
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
            }
            // Written into the response's pipe and flushed once: one event, one chunk on the wire.
            var body = response.BodyWriter;
            body.Write(DataPrefix);
            using (var json = new Utf8JsonWriter(body))
            {
                write(json);
            }
            body.Write(EventEnd);
            await body.FlushAsync(cancellationToken);
        }
    }

    private static void WriteToolCall(Utf8JsonWriter json, FunctionCallContent call, int? index)
    {
        json.WriteStartObject();
        if (index is { } i)
        {
            json.WriteNumber("index", i);
        }
        json.WriteString("id", call.CallId);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", call.Name);
        json.WriteString("arguments", JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), ExecutionJson.Options));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>OpenAI's usage, plus <c>cost</c> in USD as OpenRouter reports it: what the tenant is charged (0 for a cache hit).</summary>
    private static void WriteUsage(Utf8JsonWriter json, UsageDetails usage, decimal cost)
    {
        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", input);
        json.WriteNumber("completion_tokens", output);
        json.WriteNumber("total_tokens", usage.TotalTokenCount ?? input + output);
        json.WriteNumber("cost", cost);
        json.WriteEndObject();
    }

    private static string FinishReason(ChatFinishReason? reason, bool calledTools) => reason switch
    {
        { } r when r == ChatFinishReason.Length => "length",
        { } r when r == ChatFinishReason.ToolCalls => "tool_calls",
        { } r when r == ChatFinishReason.ContentFilter => "content_filter",
        null when calledTools => "tool_calls",
        _ => "stop",
    };
}
