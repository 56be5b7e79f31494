using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Platform.Testing.Mocks;

/// <summary>Ollama's API: <c>POST /api/chat</c> (one JSON or NDJSON lines) and <c>POST /api/embed</c>. Usage: 5 in, one per word out.</summary>
public sealed class MockOllamaServer : MockServer
{
    public const int PromptTokens = 5;

    public static async Task<MockOllamaServer> StartAsync()
    {
        var server = new MockOllamaServer();
        await server.StartAsync(app =>
        {
            app.MapPost("/api/chat", server.ChatAsync);
            app.MapPost("/api/embed", server.EmbedAsync);
        });
        return server;
    }

    private async Task ChatAsync(HttpContext http)
    {
        var request = await ReadAsync(http);
        var last = request["messages"]!.AsArray().Last()!["content"]?.ToString() ?? "";
        var reply = $"llama: {last}";
        var words = reply.Split(' ');
        var model = request["model"]!.ToString();
        if (request["stream"]?.GetValue<bool>() == false)
        {
            await WriteJsonAsync(http, Done(model, new JsonObject { ["role"] = "assistant", ["content"] = reply }, words.Length));
            return;
        }

        http.Response.ContentType = "application/x-ndjson";
        for (var i = 0; i < words.Length; i++)
        {
            await WriteLineAsync(http, new JsonObject
            {
                ["model"] = model,
                ["created_at"] = "2026-01-01T00:00:00Z",
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = i == 0 ? words[i] : " " + words[i] },
                ["done"] = false,
            }.ToJsonString() + "\n");
        }
        await WriteLineAsync(http, Done(model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, words.Length).ToJsonString() + "\n");
    }

    private async Task EmbedAsync(HttpContext http)
    {
        var request = await ReadAsync(http);
        var inputs = request["input"] is JsonArray array ? array.Select(i => i!.ToString()).ToList() : [request["input"]!.ToString()];
        await WriteJsonAsync(http, new JsonObject
        {
            ["model"] = request["model"]!.ToString(),
            ["embeddings"] = new JsonArray([.. inputs.Select(i => (JsonNode)new JsonArray(i.Length, 0.5, -0.5))]),
            ["prompt_eval_count"] = inputs.Count * 2,
        });
    }

    private static JsonObject Done(string model, JsonObject message, int evalCount) => new()
    {
        ["model"] = model,
        ["created_at"] = "2026-01-01T00:00:00Z",
        ["message"] = message,
        ["done"] = true,
        ["done_reason"] = "stop",
        ["total_duration"] = 1000,
        ["load_duration"] = 10,
        ["prompt_eval_count"] = PromptTokens,
        ["prompt_eval_duration"] = 100,
        ["eval_count"] = evalCount,
        ["eval_duration"] = 100,
    };
}
