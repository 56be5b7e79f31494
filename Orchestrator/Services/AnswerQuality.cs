using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Orchestrator.Services;

/// <summary>
/// The cheap check a cascade escalates on: an answer must say something, not be cut off, honour a JSON format and a
/// required tool call, and not be a refusal. The critic (reflection) loop will add a model's judgement.
/// </summary>
public static class AnswerQuality
{
    private static readonly string[] Refusals = ["I'm sorry, but I can", "I cannot help", "I can't help", "I am unable to", "I'm unable to", "As an AI"];

    /// <summary>Null when acceptable; otherwise why not.</summary>
    public static string? Problem(ChatResponse response, ChatExecutionOptions options)
    {
        var text = response.Text.Trim();
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any();
        if (text.Length == 0 && !calls)
        {
            return "empty answer";
        }
        if (response.FinishReason == ChatFinishReason.Length && options.MaxOutputTokens is null)
        {
            return "cut off";
        }
        if (options.ToolChoice is { } choice && choice != "auto" && choice != "none" && !calls)
        {
            return "required tool not called";
        }
        // A tool call is the answer's content then, not JSON text.
        if (options.ResponseFormat is "json_object" or "json_schema" && !calls && !IsJsonObject(text))
        {
            return "not the JSON asked for";
        }
        return Array.Exists(Refusals, refusal => text.StartsWith(refusal, StringComparison.OrdinalIgnoreCase)) ? "refusal" : null;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
