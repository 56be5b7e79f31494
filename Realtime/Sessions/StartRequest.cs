using System.Buffers;
using System.Text.Json;

namespace Realtime.Sessions;

/// <summary>
/// A client's <c>start</c>: its request id and the streamed <c>/v1/chat/completions</c> body it asks for: a
/// <c>model</c> or an <c>agent</c> (the model <c>agent/&lt;name&gt;</c>), its <c>messages</c>, and any other
/// parameters of that API in <c>options</c>; and <c>cache</c>, what an HTTP client says in <c>Cache-Control</c>
/// (<c>no-store</c>, <c>no-cache</c>). The Gateway checks the body as it checks any other.
/// </summary>
public sealed record StartRequest(string RequestId, byte[] Body, string? CacheControl)
{
    public const int MaxRequestIdLength = 128;

    // Set by the socket, whatever options say.
    private static readonly HashSet<string> Reserved = ["model", "messages", "stream", "stream_options"];

    /// <summary>The request, or why it is not one.</summary>
    public static (StartRequest? Request, string? Problem) Parse(JsonElement message)
    {
        var requestId = message.TryGetProperty("request_id", out var id) ? id.ValueKind == JsonValueKind.String ? id.GetString() : null : $"req_{Guid.NewGuid():N}";
        if (string.IsNullOrEmpty(requestId) || requestId.Length > MaxRequestIdLength)
        {
            return (null, $"'request_id' must be a string of 1 to {MaxRequestIdLength} characters.");
        }
        var model = message.TryGetProperty("model", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() : null;
        var agent = message.TryGetProperty("agent", out var agentNamed) && agentNamed.ValueKind == JsonValueKind.String ? agentNamed.GetString() : null;
        if (string.IsNullOrEmpty(model) == string.IsNullOrEmpty(agent))
        {
            return (null, "A start names a 'model' or an 'agent' (one of them).");
        }
        if (!message.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            return (null, "A start needs 'messages': a non-empty array, as in /v1/chat/completions.");
        }
        var options = message.TryGetProperty("options", out var given) ? given : default;
        if (options.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object or JsonValueKind.Null))
        {
            return (null, "'options' must be an object of /v1/chat/completions parameters.");
        }

        var cache = message.TryGetProperty("cache", out var control) ? control.ValueKind == JsonValueKind.String ? control.GetString() : "" : null;
        if (cache is not (null or "no-store" or "no-cache"))
        {
            return (null, "'cache' is no-store (neither read nor store the answer) or no-cache (store a fresh one).");
        }

        var body = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            if (options.ValueKind == JsonValueKind.Object)
            {
                foreach (var option in options.EnumerateObject().Where(option => !Reserved.Contains(option.Name)))
                {
                    option.WriteTo(json);
                }
            }
            json.WriteString("model", model ?? $"agent/{agent}");
            json.WritePropertyName("messages");
            messages.WriteTo(json);
            json.WriteBoolean("stream", true);
            json.WriteStartObject("stream_options");
            json.WriteBoolean("include_usage", true);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return (new StartRequest(requestId, body.WrittenSpan.ToArray(), cache), null);
    }
}
