using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Platform.Testing.Mocks;

/// <summary>
/// An OpenAI-compatible upstream on a real port, speaking OpenAI's wire protocol. Scripted by directives in the
/// last user message, so tests stay independent: <c>[[status:429]]</c>, <c>[[tool:name]]</c>, <c>[[no-usage]]</c>;
/// and per model, for routing tests: failing, slow (noticing when the caller gives up) or with a fixed answer.
/// Without any it answers "mock: &lt;the message&gt;" with usage of 7 prompt tokens and one per word.
/// An agent loop is scripted by <c>[[calls:get_weather {"city":"Paris"}|charge {"account":"a","amount":5}]]</c> in a
/// user message, found even when the last message is a tool result: while fewer tool results than calls follow that
/// message, the answer is the next call (id <c>call_{index}</c>, the JSON as its arguments); then it is
/// "mock: &lt;the last tool result&gt;". Arguments stay free of <c>|</c> and <c>]]</c>. A reviewer's request (its last
/// message has "Review round: n") holding <c>[[critic:0.3,0.9]]</c> is answered with that round's score (0.3, then
/// 0.9) as the critic's JSON: groundedness, adherence and tone. <c>[[context]]</c> is answered with what came before
/// the last message: "mock: " and every earlier message's content, joined by " | " (what an agent's memory added).
/// </summary>
public sealed class MockOpenAiServer : MockServer
{
    public const int PromptTokens = 7;

    /// <summary>Models that answer with this status, until removed.</summary>
    public ConcurrentDictionary<string, int> FailingModels { get; } = new();

    /// <summary>Models that take this long to answer.</summary>
    public ConcurrentDictionary<string, TimeSpan> SlowModels { get; } = new();

    /// <summary>Models whose streamed words come this far apart, as a model's tokens do.</summary>
    public ConcurrentDictionary<string, TimeSpan> WordDelays { get; } = new();

    /// <summary>
    /// Models whose streamed words are each the moment it was written (<see cref="Stopwatch.GetTimestamp"/>), as many
    /// as the answer has: a reader in this process knows how long each took to reach it.
    /// </summary>
    public ConcurrentDictionary<string, bool> StampedWords { get; } = new();

    /// <summary>Models that always give this answer.</summary>
    public ConcurrentDictionary<string, string> FixedAnswers { get; } = new();

    /// <summary>Models whose request the caller dropped while it waited for the answer.</summary>
    public ConcurrentQueue<string> Cancelled { get; } = new();

    /// <summary>How many chat or embedding requests each model received.</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    /// <summary>The OpenAI base URL, ending in <c>/v1</c>.</summary>
    public Uri BaseUrl => new($"{Root}/v1");

    public static async Task<MockOpenAiServer> StartAsync()
    {
        var server = new MockOpenAiServer();
        await server.StartAsync(app =>
        {
            app.MapPost("/v1/chat/completions", server.ChatAsync);
            app.MapPost("/v1/embeddings", server.EmbeddingsAsync);
        });
        return server;
    }

    private async Task ChatAsync(HttpContext http)
    {
        var request = await ReadAsync(http);
        var model = request["model"]!.ToString();
        Calls.AddOrUpdate(model, 1, (_, count) => count + 1);
        var messages = request["messages"]!.AsArray();
        var last = messages.Last()!["content"]?.ToString() ?? "";
        if (Directive(last, "status") is { } status)
        {
            await ErrorAsync(http, int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        if (FailingModels.TryGetValue(model, out var failure))
        {
            await ErrorAsync(http, failure);
            return;
        }
        if (SlowModels.TryGetValue(model, out var delay))
        {
            try
            {
                await Task.Delay(delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Cancelled.Enqueue(model);
                return;
            }
        }
        var call = Directive(last, "tool") is { } tool ? new AgentScript.Call("call_mock_1", tool, """{"city":"Paris"}""") : null;
        var reply = FixedAnswers.TryGetValue(model, out var fixedAnswer) ? fixedAnswer
            : Directive(last, "context") is not null ? $"mock: {string.Join(" | ", messages.SkipLast(1).Select(m => m!["content"]?.ToString()))}"
            : $"mock: {last}";
        if (Directive(last, "critic") is { } scores && System.Text.RegularExpressions.Regex.Match(last, @"Review round: (\d+)") is { Success: true } round)
        {
            var score = scores.Split(',')[Math.Min(int.Parse(round.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), scores.Split(',').Length) - 1].Trim();
            reply = $$"""{"groundedness":{{score}},"adherence":{{score}},"tone":{{score}},"reasons":"Mock review of round {{round.Groups[1].Value}}."}""";
        }
        else if (call is null && AgentScript.Next(messages) is { } step)
        {
            (call, reply) = (step.Call, step.Answer ?? reply);
        }
        var completionTokens = reply.Split(' ').Length;

        if (request["stream"]?.GetValue<bool>() != true)
        {
            var message = new JsonObject { ["role"] = "assistant", ["content"] = call is null ? reply : null };
            if (call is not null)
            {
                message["tool_calls"] = new JsonArray(ToolCall(call, index: null));
            }
            await WriteJsonAsync(http, new JsonObject
            {
                ["id"] = "chatcmpl-mock",
                ["object"] = "chat.completion",
                ["created"] = 1_700_000_000,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = call is null ? "stop" : "tool_calls" }),
                ["usage"] = Usage(completionTokens),
            });
            return;
        }

        http.Response.ContentType = "text/event-stream";
        var includeUsage = request["stream_options"]?["include_usage"]?.GetValue<bool>() == true && Directive(last, "no-usage") is null;
        if (call is not null)
        {
            await ChunkAsync(http, model, new JsonObject { ["role"] = "assistant", ["tool_calls"] = new JsonArray(ToolCall(call, index: 0)) }, null, includeUsage);
            await ChunkAsync(http, model, new JsonObject(), "tool_calls", includeUsage);
        }
        else
        {
            var words = reply.Split(' ');
            for (var i = 0; i < words.Length; i++)
            {
                var delta = new JsonObject { ["content"] = i == 0 ? words[i] : " " + words[i] };
                if (i == 0)
                {
                    delta["role"] = "assistant";
                }
                else if (WordDelays.TryGetValue(model, out var wordDelay))
                {
                    await Task.Delay(wordDelay, http.RequestAborted);
                }
                if (StampedWords.ContainsKey(model))
                {
                    delta["content"] = (i == 0 ? "" : " ") + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);
                }
                await ChunkAsync(http, model, delta, null, includeUsage);
            }
            await ChunkAsync(http, model, new JsonObject(), "stop", includeUsage);
        }
        if (includeUsage)
        {
            await EventAsync(http, new JsonObject
            {
                ["id"] = "chatcmpl-mock",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1_700_000_000,
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = Usage(completionTokens),
            }.ToJsonString());
        }
        await EventAsync(http, "[DONE]");
    }

    private async Task EmbeddingsAsync(HttpContext http)
    {
        var request = await ReadAsync(http);
        var model = request["model"]!.ToString();
        Calls.AddOrUpdate(model, 1, (_, count) => count + 1);
        if (FailingModels.TryGetValue(model, out var failure))
        {
            await ErrorAsync(http, failure);
            return;
        }
        var inputs = request["input"] is JsonArray array ? array.Select(i => i!.ToString()).ToList() : [request["input"]!.ToString()];
        var base64 = request["encoding_format"]?.ToString() == "base64";
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            // A recognisable vector: its first value is the input's length; or, for the words and meaning models, one that ranks by words.
            var vector = model switch
            {
                WordsEmbeddingModel => WordsVector(inputs[i]),
                MeaningEmbeddingModel => WordsVector(string.Join(' ', inputs[i].ToLowerInvariant().Split(' ', '?', '.', ',').Select(word => Synonyms.GetValueOrDefault(word, word)))),
                _ => [inputs[i].Length, 1, 2],
            };
            data.Add(new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = base64
                    ? Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()))
                    : new JsonArray(vector.Select(v => (JsonNode)v).ToArray()),
            });
        }
        await WriteJsonAsync(http, new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = request["model"]!.ToString(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = inputs.Count * 3, ["total_tokens"] = inputs.Count * 3 },
        });
    }

    /// <summary>An embedding model whose vectors (<see cref="WordsDimensions"/> wide, not normalised) count the input's words by hash.</summary>
    public const string WordsEmbeddingModel = "mock-embed-words";

    public const int WordsDimensions = 64;

    /// <summary>
    /// An embedding model that knows a few synonyms (as a neural one would): a question reworded with them lands on
    /// the same vector, which a lexical embedding cannot do. Otherwise as <see cref="WordsEmbeddingModel"/>.
    /// </summary>
    public const string MeaningEmbeddingModel = "mock-embed-meaning";

    private static readonly Dictionary<string, string> Synonyms = new()
    {
        ["change"] = "reset",
        ["modify"] = "reset",
        ["credentials"] = "password",
        ["passcode"] = "password",
        ["account"] = "profile",
    };

    private static float[] WordsVector(string text)
    {
        var vector = new float[WordsDimensions];
        foreach (var word in text.ToLowerInvariant().Split(' ', '\n', '.', ',', '?', '#'))
        {
            if (word.Length > 2)
            {
                vector[word.Aggregate(2166136261u, (hash, c) => (hash ^ c) * 16777619u) % WordsDimensions] += 1;
            }
        }
        return vector;
    }

    private static async Task ErrorAsync(HttpContext http, int status)
    {
        if (status == 429)
        {
            http.Response.Headers.RetryAfter = "7";
        }
        await WriteJsonAsync(http, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = $"mock failure {status}", ["type"] = "mock_error", ["param"] = null, ["code"] = null },
        }, status);
    }

    private static JsonObject ToolCall(AgentScript.Call call, int? index)
    {
        var json = new JsonObject
        {
            ["id"] = call.Id,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
        };
        if (index is { } i)
        {
            json["index"] = i;
        }
        return json;
    }

    private static JsonObject Usage(int completionTokens) => new()
    {
        ["prompt_tokens"] = PromptTokens,
        ["completion_tokens"] = completionTokens,
        ["total_tokens"] = PromptTokens + completionTokens,
    };

    private static Task ChunkAsync(HttpContext http, string model, JsonObject delta, string? finish, bool includeUsage)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-mock",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_700_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        if (includeUsage)
        {
            chunk["usage"] = null;
        }
        return EventAsync(http, chunk.ToJsonString());
    }

    private static Task EventAsync(HttpContext http, string data) => WriteLineAsync(http, $"data: {data}\n\n");
}
