using System.Text.Json.Nodes;

namespace Platform.Testing.Mocks;

/// <summary>
/// An agent loop's <c>[[calls:name {json args}|…]]</c> script (see <see cref="MockOpenAiServer"/>), read from the last
/// user message: the tool results after that message say how far the loop has come.
/// </summary>
internal static class AgentScript
{
    public sealed record Call(string Id, string Name, string Arguments);

    /// <summary>The next call, or the answer once every call has its result.</summary>
    public sealed record Step(Call? Call, string? Answer);

    /// <summary>The conversation's next step, or null when its last user message holds no script (a critique, say).</summary>
    public static Step? Next(JsonArray messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i]?["role"]?.ToString() != "user")
            {
                continue;
            }
            if (MockServer.Directive(Text(messages[i]!["content"]), "calls") is not { } script)
            {
                return null;
            }
            var calls = script.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var results = messages.Skip(i + 1).Where(message => message?["role"]?.ToString() == "tool").ToList();
            if (results.Count >= calls.Length)
            {
                return new Step(null, $"mock: {(results.Count == 0 ? "" : Text(results[^1]!["content"]))}");
            }
            var call = calls[results.Count];
            var space = call.IndexOf(' ', StringComparison.Ordinal);
            return new Step(new Call($"call_{results.Count}", space < 0 ? call : call[..space], space < 0 ? "{}" : call[(space + 1)..].Trim()), null);
        }
        return null;
    }

    /// <summary>A message's text: OpenAI's wire format allows a string or an array of content parts.</summary>
    private static string Text(JsonNode? content) => content switch
    {
        null => "",
        JsonArray parts => string.Concat(parts.Select(part => part?["text"]?.ToString())),
        _ => content.ToString(),
    };
}
