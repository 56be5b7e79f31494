using System.Text.Json;

namespace Gateway.OpenAi;

/// <summary>An OpenAI <c>/v1/embeddings</c> request: a string or an array of strings.</summary>
public sealed record EmbeddingRequest(string Model, IList<string> Inputs, int? Dimensions, bool Base64)
{
    private const int MaxInputs = 2048;

    public static EmbeddingRequest Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("", "The request body must be a JSON object.");
        }
        var model = ChatCompletionReader.RequiredString(body, "model");
        if (!body.TryGetProperty("input", out var input))
        {
            throw new InvalidRequestException("input", "input is required.");
        }
        List<string> inputs = input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()!],
            JsonValueKind.Array when input.GetArrayLength() is > 0 and <= MaxInputs && input.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String)
                => [.. input.EnumerateArray().Select(i => i.GetString()!)],
            _ => throw new InvalidRequestException("input", $"input is a string or an array of 1 to {MaxInputs} strings."),
        };
        if (inputs.Exists(i => i.Length == 0))
        {
            throw new InvalidRequestException("input", "input must not contain empty strings.");
        }
        var format = ChatCompletionReader.OptionalString(body, "encoding_format") ?? "float";
        if (format is not ("float" or "base64"))
        {
            throw new InvalidRequestException("encoding_format", "encoding_format is float or base64.");
        }
        return new EmbeddingRequest(model, inputs, ChatCompletionReader.OptionalInt(body, "dimensions", minimum: 1), format == "base64");
    }
}
