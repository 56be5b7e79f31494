using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Platform.Testing.Mocks;

/// <summary>Anthropic's Messages API (<c>POST /v1/messages</c>), whole and as its SSE event stream. Usage: 11 in, one per word out.</summary>
public sealed class MockAnthropicServer : MockServer
{
    public const int InputTokens = 11;

    public static async Task<MockAnthropicServer> StartAsync()
    {
        var server = new MockAnthropicServer();
        await server.StartAsync(app => app.MapPost("/v1/messages", server.MessagesAsync));
        return server;
    }

    private async Task MessagesAsync(HttpContext http)
    {
        var request = await ReadAsync(http);
        var last = request["messages"]!.AsArray().Last()!["content"] switch
        {
            JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.ToString())),
            var content => content?.ToString() ?? "",
        };
        if (Directive(last, "status") is { } status)
        {
            await WriteJsonAsync(http, new JsonObject
            {
                ["type"] = "error",
                ["error"] = new JsonObject { ["type"] = status == "429" ? "rate_limit_error" : "api_error", ["message"] = $"mock failure {status}" },
            }, int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        var reply = $"claude: {last}";
        var words = reply.Split(' ');
        var model = request["model"]!.ToString();

        if (request["stream"]?.GetValue<bool>() != true)
        {
            await WriteJsonAsync(http, new JsonObject
            {
                ["id"] = "msg_mock",
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = reply }),
                ["stop_reason"] = "end_turn",
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = InputTokens, ["output_tokens"] = words.Length },
            });
            return;
        }

        http.Response.ContentType = "text/event-stream";
        await EventAsync(http, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = "msg_mock",
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = InputTokens, ["output_tokens"] = 1 },
            },
        });
        await EventAsync(http, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
        for (var i = 0; i < words.Length; i++)
        {
            await EventAsync(http, "content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta",
                ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = i == 0 ? words[i] : " " + words[i] },
            });
        }
        await EventAsync(http, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        await EventAsync(http, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = words.Length },
        });
        await EventAsync(http, "message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    private static Task EventAsync(HttpContext http, string name, JsonObject data) => WriteLineAsync(http, $"event: {name}\ndata: {data.ToJsonString()}\n\n");
}
