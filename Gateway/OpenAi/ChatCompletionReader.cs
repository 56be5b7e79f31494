using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Gateway.OpenAi;

/// <summary>
/// Reads an OpenAI <c>/v1/chat/completions</c> body into Microsoft.Extensions.AI messages and options, refusing
/// what is malformed with the parameter at fault. Tools and response formats pass through to the provider.
/// </summary>
public static partial class ChatCompletionReader
{
    public static ChatCompletionRequest Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("", "The request body must be a JSON object.");
        }
        var model = RequiredString(body, "model");
        var stream = OptionalBool(body, "stream") ?? false;
        var includeUsage = false;
        if (body.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind != JsonValueKind.Null)
        {
            if (!stream)
            {
                throw new InvalidRequestException("stream_options", "stream_options is only allowed when stream is true.");
            }
            if (streamOptions.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException("stream_options", "stream_options must be an object.");
            }
            includeUsage = OptionalBool(streamOptions, "include_usage", "stream_options.include_usage") ?? false;
        }
        if (OptionalInt(body, "n") is { } n && n != 1)
        {
            throw new InvalidRequestException("n", "Only n=1 is supported.");
        }

        var options = new ChatExecutionOptions
        {
            Temperature = OptionalNumber(body, "temperature", 0, 2),
            TopP = OptionalNumber(body, "top_p", 0, 1),
            FrequencyPenalty = OptionalNumber(body, "frequency_penalty", -2, 2),
            PresencePenalty = OptionalNumber(body, "presence_penalty", -2, 2),
            MaxOutputTokens = OptionalInt(body, "max_completion_tokens", minimum: 1) ?? OptionalInt(body, "max_tokens", minimum: 1),
            Seed = body.TryGetProperty("seed", out var seed) && seed.ValueKind != JsonValueKind.Null
                ? seed.ValueKind == JsonValueKind.Number && seed.TryGetInt64(out var seedValue) ? seedValue : throw new InvalidRequestException("seed", "seed must be an integer.")
                : null,
            StopSequences = Stop(body),
            User = OptionalString(body, "user"),
            ParallelToolCalls = OptionalBool(body, "parallel_tool_calls"),
            Tools = Tools(body),
            ToolChoice = ToolChoice(body),
        };
        options = ResponseFormat(body, options);
        return new ChatCompletionRequest(model, stream, includeUsage, Messages(body), options, StringList(body, "fallbacks"), Route(body), Retrieval(body), Metadata(body));
    }

    /// <summary>OpenAI's <c>metadata</c>: up to 16 string pairs, keys of at most 64 characters and values of at most 512.</summary>
    private static Dictionary<string, string>? Metadata(JsonElement body)
    {
        if (!body.TryGetProperty("metadata", out var metadata) || metadata.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("metadata", "metadata must be an object of strings.");
        }
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in metadata.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String || pair.Name.Length > 64 || pair.Value.GetString()!.Length > 512 || pairs.Count == 16)
            {
                throw new InvalidRequestException("metadata", "metadata holds up to 16 pairs of strings, keys of at most 64 characters and values of at most 512.");
            }
            pairs[pair.Name] = pair.Value.GetString()!;
        }
        return pairs;
    }

    private static List<ChatMessage> Messages(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw new InvalidRequestException("messages", "messages must be a non-empty array.");
        }
        var result = new List<ChatMessage>(messages.GetArrayLength());
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            result.Add(Message(message, $"messages[{index++}]"));
        }
        return result;
    }

    private static ChatMessage Message(JsonElement message, string path)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException(path, $"{path} must be an object.");
        }
        var role = RequiredString(message, "role", $"{path}.role");
        var chatRole = role switch
        {
            "system" or "developer" => ChatRole.System,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            _ => throw new InvalidRequestException($"{path}.role", $"'{role}' is not a role: use system, developer, user, assistant or tool."),
        };

        var contents = new List<AIContent>();
        if (chatRole == ChatRole.Tool)
        {
            var callId = RequiredString(message, "tool_call_id", $"{path}.tool_call_id");
            contents.Add(new FunctionResultContent(callId, ContentText(message, path)));
            return new ChatMessage(chatRole, contents);
        }

        if (message.TryGetProperty("content", out var content) && content.ValueKind != JsonValueKind.Null)
        {
            contents.AddRange(Contents(content, $"{path}.content"));
        }
        if (chatRole == ChatRole.Assistant && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind != JsonValueKind.Null)
        {
            contents.AddRange(ToolCalls(calls, $"{path}.tool_calls"));
        }
        if (contents.Count == 0 && chatRole != ChatRole.Assistant)
        {
            throw new InvalidRequestException($"{path}.content", $"{path}.content is required.");
        }
        return new ChatMessage(chatRole, contents) { AuthorName = OptionalString(message, "name", $"{path}.name") };
    }

    private static List<AIContent> Contents(JsonElement content, string path)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return [new TextContent(content.GetString())];
        }
        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException(path, $"{path} must be a string or an array of content parts.");
        }
        var parts = new List<AIContent>();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partPath = $"{path}[{index++}]";
            var type = RequiredString(part, "type", $"{partPath}.type");
            parts.Add(type switch
            {
                "text" => new TextContent(RequiredString(part, "text", $"{partPath}.text")),
                "image_url" => Image(part, partPath),
                _ => throw new InvalidRequestException($"{partPath}.type", $"Content parts of type '{type}' are not supported; use text or image_url."),
            });
        }
        return parts;
    }

    private static AIContent Image(JsonElement part, string path)
    {
        if (!part.TryGetProperty("image_url", out var image) || image.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException($"{path}.image_url", "image_url must be an object with a url.");
        }
        var url = RequiredString(image, "url", $"{path}.image_url.url");
        if (url.StartsWith("data:", StringComparison.Ordinal))
        {
            try
            {
                return new DataContent(url);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                throw new InvalidRequestException($"{path}.image_url.url", "The data URL is malformed.");
            }
        }
        // Only what a provider can fetch: on Linux a bare path such as /etc/passwd is an absolute (file) URI too.
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? new UriContent(uri, "image/*")
            : throw new InvalidRequestException($"{path}.image_url.url", "The image url is not an absolute http(s) URL.");
    }

    private static List<AIContent> ToolCalls(JsonElement calls, string path)
    {
        if (calls.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException(path, $"{path} must be an array.");
        }
        var result = new List<AIContent>();
        var index = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var callPath = $"{path}[{index++}]";
            var id = RequiredString(call, "id", $"{callPath}.id");
            if (!call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException($"{callPath}.function", "A tool call needs a function.");
            }
            var name = RequiredString(function, "name", $"{callPath}.function.name");
            var arguments = OptionalString(function, "arguments", $"{callPath}.function.arguments") ?? "{}";
            Dictionary<string, object?>? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments, ExecutionJson.Options);
            }
            catch (JsonException)
            {
                throw new InvalidRequestException($"{callPath}.function.arguments", "The arguments are not a JSON object.");
            }
            result.Add(new FunctionCallContent(id, name, parsed));
        }
        return result;
    }

    private static string ContentText(JsonElement message, string path)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            throw new InvalidRequestException($"{path}.content", $"{path}.content is required.");
        }
        return content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(Contents(content, $"{path}.content").OfType<TextContent>().Select(t => t.Text));
    }

    private static List<ToolDefinition>? Tools(JsonElement body)
    {
        if (!body.TryGetProperty("tools", out var tools) || tools.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException("tools", "tools must be an array.");
        }
        var result = new List<ToolDefinition>();
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var path = $"tools[{index++}]";
            if (RequiredString(tool, "type", $"{path}.type") != "function" || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException($"{path}.type", "Only function tools are supported.");
            }
            var name = RequiredString(function, "name", $"{path}.function.name");
            if (!FunctionName().IsMatch(name))
            {
                throw new InvalidRequestException($"{path}.function.name", "A function name is 1 to 64 letters, digits, underscores or dashes.");
            }
            var parameters = function.TryGetProperty("parameters", out var schema) && schema.ValueKind != JsonValueKind.Null
                ? schema.ValueKind == JsonValueKind.Object ? schema.Clone() : throw new InvalidRequestException($"{path}.function.parameters", "parameters must be a JSON schema object.")
                : EmptyObjectSchema;
            result.Add(new ToolDefinition(name, OptionalString(function, "description", $"{path}.function.description"), parameters));
        }
        return result;
    }

    private static string? ToolChoice(JsonElement body)
    {
        if (!body.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() is "auto" or "none" or "required" ? choice.GetString() : throw new InvalidRequestException("tool_choice", "tool_choice is auto, none, required or a function.");
        }
        return choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var function)
            ? RequiredString(function, "name", "tool_choice.function.name")
            : throw new InvalidRequestException("tool_choice", "tool_choice is auto, none, required or a function.");
    }

    private static ChatExecutionOptions ResponseFormat(JsonElement body, ChatExecutionOptions options)
    {
        if (!body.TryGetProperty("response_format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return options;
        }
        var type = RequiredString(format, "type", "response_format.type");
        switch (type)
        {
            case "text" or "json_object":
                return options with { ResponseFormat = type };
            case "json_schema" when format.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.ValueKind == JsonValueKind.Object:
                var name = RequiredString(jsonSchema, "name", "response_format.json_schema.name");
                var schema = jsonSchema.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object
                    ? s.Clone()
                    : throw new InvalidRequestException("response_format.json_schema.schema", "schema must be a JSON schema object.");
                return options with
                {
                    ResponseFormat = type,
                    JsonSchema = new JsonSchemaFormat(name, OptionalString(jsonSchema, "description", "response_format.json_schema.description"), schema, OptionalBool(jsonSchema, "strict", "response_format.json_schema.strict")),
                };
            default:
                throw new InvalidRequestException("response_format.type", "response_format.type is text, json_object or json_schema (with json_schema).");
        }
    }

    private static RetrievalRequest? Retrieval(JsonElement body)
    {
        if (!body.TryGetProperty("retrieval", out var retrieval) || retrieval.ValueKind is JsonValueKind.Null or JsonValueKind.False)
        {
            return null;
        }
        if (retrieval.ValueKind == JsonValueKind.True)
        {
            return new RetrievalRequest(RetrievalRequest.DefaultTop);
        }
        if (retrieval.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("retrieval", "retrieval is true or an object such as {\"top\": 4}.");
        }
        return retrieval.TryGetProperty("top", out var top) && top.ValueKind != JsonValueKind.Null
            ? top.ValueKind == JsonValueKind.Number && top.TryGetInt32(out var n) && n is >= 1 and <= 20 ? new RetrievalRequest(n) : throw new InvalidRequestException("retrieval.top", "retrieval.top is 1 to 20.")
            : new RetrievalRequest(RetrievalRequest.DefaultTop);
    }

    private static RouteRequest? Route(JsonElement body)
    {
        if (!body.TryGetProperty("route", out var route) || route.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (route.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("route", "route is an object with a strategy and models.");
        }
        var strategy = OptionalString(route, "strategy", "route.strategy") ?? RouteStrategies.Single;
        if (!RouteStrategies.All.Contains(strategy))
        {
            throw new InvalidRequestException("route.strategy", "route.strategy is single, parallel or cascade.");
        }
        var models = StringList(route, "models", "route.models");
        if (models.Count == 0)
        {
            throw new InvalidRequestException("route.models", "route.models names at least one model.");
        }
        var hedge = route.TryGetProperty("hedge", out var h) && h.ValueKind != JsonValueKind.Null
            ? h.ValueKind == JsonValueKind.Number && h.TryGetInt32(out var n) && n is >= 1 and <= 8 ? n : throw new InvalidRequestException("route.hedge", "route.hedge is 1 to 8.")
            : 2;
        return new RouteRequest(strategy, models, hedge);
    }

    private static List<string> StringList(JsonElement element, string name, string? path = null)
    {
        if (!element.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        return list.ValueKind == JsonValueKind.Array && list.GetArrayLength() <= 8 && list.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String && i.GetString()!.Length > 0)
            ? [.. list.EnumerateArray().Select(i => i.GetString()!)]
            : throw new InvalidRequestException(path ?? name, $"{path ?? name} is an array of up to 8 model names.");
    }

    private static List<string>? Stop(JsonElement body)
    {
        if (!body.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (stop.ValueKind == JsonValueKind.String)
        {
            return [stop.GetString()!];
        }
        if (stop.ValueKind == JsonValueKind.Array && stop.GetArrayLength() <= 4 && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String))
        {
            return [.. stop.EnumerateArray().Select(s => s.GetString()!)];
        }
        throw new InvalidRequestException("stop", "stop is a string or up to 4 strings.");
    }

    internal static string RequiredString(JsonElement element, string name, string? path = null) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidRequestException(path ?? name, $"{path ?? name} is required and must be a non-empty string.");

    internal static string? OptionalString(JsonElement element, string name, string? path = null) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new InvalidRequestException(path ?? name, $"{path ?? name} must be a string.");

    internal static bool? OptionalBool(JsonElement element, string name, string? path = null) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw new InvalidRequestException(path ?? name, $"{path ?? name} must be a boolean.");

    internal static int? OptionalInt(JsonElement element, string name, int minimum = int.MinValue)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= minimum
            ? number
            : throw new InvalidRequestException(name, minimum == int.MinValue ? $"{name} must be an integer." : $"{name} must be an integer of at least {minimum}.");
    }

    private static float? OptionalNumber(JsonElement element, string name, float minimum, float maximum)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetSingle(out var number) && number >= minimum && number <= maximum
            ? number
            : throw new InvalidRequestException(name, $"{name} must be a number from {minimum} to {maximum}.");
    }

    private static readonly JsonElement EmptyObjectSchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();
}
