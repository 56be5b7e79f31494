using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using OpenAI;
using Platform.Testing.Mocks;

namespace Platform.UnitTests;

// The mock OpenAI provider's [[calls:…]] script, on the wire and under Microsoft.Extensions.AI's tool loop.
public sealed class AgentScriptTests
{
    private const string Script = """[[calls:get_weather {"city":"Paris"}|charge {"account":"a", "amount":5}]] go""";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Calls_EachToolResult_MovesTheScriptOnUntilTheAnswerQuotesTheLastResult()
    {
        await using var server = await MockOpenAiServer.StartAsync();
        using var http = new HttpClient();
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Script });

        var first = (await CompleteAsync(http, server, messages))["choices"]![0]!;
        first["finish_reason"]!.ToString().ShouldBe("tool_calls");
        var weather = first["message"]!["tool_calls"]![0]!;
        (weather["id"]!.ToString(), weather["function"]!["name"]!.ToString(), weather["function"]!["arguments"]!.ToString())
            .ShouldBe(("call_0", "get_weather", """{"city":"Paris"}"""));

        Answer(messages, weather, new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Sunny in Paris, 21 °C" }));
        var charge = (await CompleteAsync(http, server, messages))["choices"]![0]!["message"]!["tool_calls"]![0]!;
        (charge["id"]!.ToString(), charge["function"]!["name"]!.ToString(), charge["function"]!["arguments"]!.ToString())
            .ShouldBe(("call_1", "charge", """{"account":"a", "amount":5}"""));

        Answer(messages, charge, "receipt-a-1");
        var last = (await CompleteAsync(http, server, messages))["choices"]![0]!;
        last["finish_reason"]!.ToString().ShouldBe("stop");
        last["message"]!["content"]!.ToString().ShouldBe("mock: receipt-a-1");
    }

    [Fact]
    public async Task Calls_Streamed_SendTheNextCallAsADelta()
    {
        await using var server = await MockOpenAiServer.StartAsync();
        using var http = new HttpClient();
        var request = new JsonObject
        {
            ["model"] = "mock-model",
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Script }),
        };

        using var response = await http.PostAsync(new Uri($"{server.BaseUrl}/chat/completions"), JsonContent.Create(request), Cancellation);
        var events = (await response.Content.ReadAsStringAsync(Cancellation)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        events[^1].ShouldBe("data: [DONE]");
        var choices = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!["choices"]![0]!).ToList();
        var call = choices[0]["delta"]!["tool_calls"]![0]!;
        (call["index"]!.GetValue<int>(), call["id"]!.ToString(), call["function"]!["name"]!.ToString(), call["function"]!["arguments"]!.ToString())
            .ShouldBe((0, "call_0", "get_weather", """{"city":"Paris"}"""));
        choices[^1]["finish_reason"]!.ToString().ShouldBe("tool_calls");
    }

    [Fact]
    public async Task Calls_UnderFunctionInvocation_RunTheMcpToolsInOrder()
    {
        await using var provider = await MockOpenAiServer.StartAsync();
        await using var tools = await TestMcpServer.StartAsync();
        await using var mcp = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = tools.Endpoint, TransportMode = HttpTransportMode.StreamableHttp }),
            cancellationToken: Cancellation);
        using var chat = new OpenAIClient(new ApiKeyCredential("mock"), new OpenAIClientOptions { Endpoint = provider.BaseUrl })
            .GetChatClient("mock-model").AsIChatClient().AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [.. await mcp.ListToolsAsync(cancellationToken: Cancellation)] };

        var response = await chat.GetResponseAsync(Script, options, Cancellation);

        (tools.CallsOf("get_weather"), tools.ChargesOf("a")).ShouldBe((1, 1));
        // The tool message holds the result as the library serialises it (a TextContent's JSON), around the receipt.
        response.Text.ShouldStartWith("mock: ");
        response.Text.ShouldContain("receipt-a-1");
    }

    private static async Task<JsonNode> CompleteAsync(HttpClient http, MockOpenAiServer server, JsonArray messages)
    {
        var request = new JsonObject { ["model"] = "mock-model", ["messages"] = messages.DeepClone() };
        using var response = await http.PostAsync(new Uri($"{server.BaseUrl}/chat/completions"), JsonContent.Create(request), Cancellation);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>(Cancellation))!;
    }

    // The assistant's call and the tool's result, as a client sends them back; content as a string or as parts.
    private static void Answer(JsonArray messages, JsonNode call, JsonNode content)
    {
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call.DeepClone()) });
        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = call["id"]!.ToString(), ["content"] = content });
    }
}
