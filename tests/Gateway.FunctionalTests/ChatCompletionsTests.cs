using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;

namespace Gateway.FunctionalTests;

// The Gateway driven by the official OpenAI SDK against the mock OpenAI-compatible upstream.
public sealed class ChatCompletionsTests(PlatformFixture platform)
{
    [Fact]
    public async Task Chat_ReturnsTheProvidersAnswerAndUsage()
    {
        var marker = Marker();
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("mock/mock-1");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage($"hello {marker}")], cancellationToken: TestContext.Current.CancellationToken)).Value;

        completion.Content[0].Text.ShouldBe($"mock: hello {marker}");
        completion.FinishReason.ShouldBe(ChatFinishReason.Stop);
        completion.Usage.InputTokenCount.ShouldBe(7);
        completion.Usage.OutputTokenCount.ShouldBe(3);
        completion.Model.ShouldBe("mock/mock-1");
        platform.MockOpenAi.LastRequestContaining(marker).Body["model"]!.ToString().ShouldBe("mock-1");
    }

    [Fact]
    public async Task Chat_ByBareModelId_WhenUnambiguous()
    {
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("mock-1");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("bare")], cancellationToken: TestContext.Current.CancellationToken)).Value;

        completion.Content[0].Text.ShouldBe("mock: bare");
    }

    [Fact]
    public async Task Chat_Streaming_ThroughTheSdk_DeliversTokensAndUsage()
    {
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("mock/mock-1");
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        var updates = 0;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream these words")], cancellationToken: TestContext.Current.CancellationToken))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
            usage ??= update.Usage;
        }

        text.ToString().ShouldBe("mock: stream these words");
        updates.ShouldBeGreaterThan(3);
        usage.ShouldNotBeNull();
        usage.InputTokenCount.ShouldBe(7);
        usage.OutputTokenCount.ShouldBe(4);
    }

    [Fact]
    public async Task Chat_Streaming_IsOpenAisSse_WithUsageChunkOnlyWhenAsked()
    {
        var without = await RawStreamAsync(new { model = "mock/mock-1", stream = true, messages = new[] { new { role = "user", content = "no usage please" } } });
        var with = await RawStreamAsync(new { model = "mock/mock-1", stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = "usage please" } } });

        without.ShouldAllBe(e => e == "[DONE]" || e.Contains("\"object\":\"chat.completion.chunk\""));
        without[^1].ShouldBe("[DONE]");
        without.ShouldNotContain(e => e.Contains("\"usage\""));
        without[^2].ShouldContain("\"finish_reason\":\"stop\"");
        with[^1].ShouldBe("[DONE]");
        using var usageChunk = JsonDocument.Parse(with[^2]);
        usageChunk.RootElement.GetProperty("choices").GetArrayLength().ShouldBe(0);
        usageChunk.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task Chat_Usage_ReportsTheCostCharged_NothingForACacheHit()
    {
        var question = $"cost {Marker()}";
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.DemoKey);
        var body = new { model = "mock/mock-1", messages = new[] { new { role = "user", content = question } } };

        var first = await (await http.PostAsJsonAsync("/v1/chat/completions", body, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var again = await (await http.PostAsJsonAsync("/v1/chat/completions", body, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var streamed = await RawStreamAsync(new { model = "mock/mock-1", stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = $"cost {Marker()}" } } });

        // 7 prompt tokens at $1 and 3 completion tokens ("mock: cost m…") at $2 per million.
        first.GetProperty("usage").GetProperty("cost").GetDecimal().ShouldBe(0.000013m);
        again.GetProperty("usage").GetProperty("cost").GetDecimal().ShouldBe(0m);
        using var usageChunk = JsonDocument.Parse(streamed[^2]);
        usageChunk.RootElement.GetProperty("usage").GetProperty("cost").GetDecimal().ShouldBe(0.000013m);
    }

    [Fact]
    public async Task Chat_Streaming_ProviderWithoutUsage_IsCountedWithTheTokenizer()
    {
        var events = await RawStreamAsync(new { model = "mock/mock-1", stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = "count me [[no-usage]]" } } });

        using var usageChunk = JsonDocument.Parse(events[^2]);
        var usage = usageChunk.RootElement.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().ShouldBeGreaterThan(0);
        usage.GetProperty("completion_tokens").GetInt32().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Chat_ToolCalls_PassThroughBothWays()
    {
        var marker = Marker();
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("mock/mock-1");
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather by city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")) },
        };

        var completion = (await chat.CompleteChatAsync([new UserChatMessage($"weather? [[tool:get_weather]] {marker}")], options, TestContext.Current.CancellationToken)).Value;

        completion.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        completion.ToolCalls.Single().FunctionName.ShouldBe("get_weather");
        JsonDocument.Parse(completion.ToolCalls[0].FunctionArguments).RootElement.GetProperty("city").GetString().ShouldBe("Paris");
        var sent = platform.MockOpenAi.LastRequestContaining(marker).Body;
        sent["tools"]![0]!["function"]!["name"]!.ToString().ShouldBe("get_weather");
        sent["tools"]![0]!["function"]!["parameters"]!["required"]![0]!.ToString().ShouldBe("city");

        List<ChatMessage> followUp =
        [
            new UserChatMessage($"weather? {marker}-2"),
            new AssistantChatMessage(completion.ToolCalls),
            new ToolChatMessage(completion.ToolCalls[0].Id, "sunny, 21 C"),
        ];
        var answer = (await chat.CompleteChatAsync(followUp, options, TestContext.Current.CancellationToken)).Value;
        answer.Content[0].Text.ShouldBe("mock: sunny, 21 C");
        var second = platform.MockOpenAi.LastRequestContaining($"{marker}-2").Body["messages"]!.AsArray();
        second[1]!["tool_calls"]![0]!["function"]!["name"]!.ToString().ShouldBe("get_weather");
        second[2]!["tool_call_id"]!.ToString().ShouldBe(completion.ToolCalls[0].Id);
    }

    [Fact]
    public async Task Chat_ToolCalls_Stream()
    {
        var events = await RawStreamAsync(new
        {
            model = "mock/mock-1",
            stream = true,
            messages = new[] { new { role = "user", content = "[[tool:lookup]]" } },
            tools = new[] { new { type = "function", function = new { name = "lookup", parameters = new { type = "object" } } } },
        });

        events.ShouldContain(e => e.Contains("\"tool_calls\":[{\"index\":0,\"id\":\"call_mock_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\""));
        events[^2].ShouldContain("\"finish_reason\":\"tool_calls\"");
    }

    [Fact]
    public async Task Chat_ResponseFormat_PassesThrough()
    {
        var marker = Marker();
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("mock/mock-1");
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("answer", BinaryData.FromString("""{"type":"object","properties":{"a":{"type":"string"}}}""")),
            Temperature = 0.2f,
            MaxOutputTokenCount = 50,
        };

        await chat.CompleteChatAsync([new UserChatMessage(marker)], options, TestContext.Current.CancellationToken);

        var sent = platform.MockOpenAi.LastRequestContaining(marker).Body;
        sent["response_format"]!["type"]!.ToString().ShouldBe("json_schema");
        sent["response_format"]!["json_schema"]!["name"]!.ToString().ShouldBe("answer");
        sent["temperature"]!.GetValue<double>().ShouldBe(0.2, 0.001);
    }

    [Fact]
    public async Task Chat_LocalModel_AnswersWithoutAnyKey_AndSaysWhatItIs()
    {
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("local/local-chat");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("what can you do?")], cancellationToken: TestContext.Current.CancellationToken)).Value;
        var streamed = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("what can you do?")], cancellationToken: TestContext.Current.CancellationToken))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        var text = completion.Content[0].Text;
        text.ShouldContain("built-in local model");
        text.ShouldContain("what can you do?");
        text.ShouldContain("mock (openai: mock-1, mock-embed, ");
        text.ShouldContain("claude (anthropic: claude-mock)");
        text.ShouldContain("Providers__<name>__Kind=openai");
        completion.Usage.InputTokenCount.ShouldBeGreaterThan(0);
        completion.Usage.OutputTokenCount.ShouldBeGreaterThan(20);
        streamed.ToString().ShouldBe(text);
    }

    [Theory]
    [InlineData("{\"model\":\"nope/none\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 404, "model_not_found", "model")]
    [InlineData("{\"model\":\"mock/mock-embed\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400, "model_not_supported", "model")]
    [InlineData("{\"model\":\"mock/mock-1\",\"messages\":[]}", 400, null, "messages")]
    [InlineData("{\"model\":\"mock/mock-1\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", 400, null, "messages[0].role")]
    [InlineData("{\"model\":\"mock/mock-1\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400, null, "temperature")]
    [InlineData("{\"model\":\"mock/mock-1\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400, null, "max_tokens")]
    [InlineData("{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 400, null, "model")]
    [InlineData("{\"model\":\"mock/mock-1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream_options\":{\"include_usage\":true}}", 400, null, "stream_options")]
    [InlineData("{\"model\":\"mock/mock-1\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", 400, null, "messages[0].tool_call_id")]
    [InlineData("[1,2]", 400, null, "")]
    public async Task Chat_BadRequests_AreOpenAiErrors_WithTheParameter(string body, int status, string? code, string param)
    {
        var (response, error) = await PostRawAsync(platform.DemoKey, "/v1/chat/completions", body);

        ((int)response.StatusCode).ShouldBe(status);
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("param").GetString().ShouldBe(param.Length == 0 ? null : param);
        if (code is not null)
        {
            error.GetProperty("code").GetString().ShouldBe(code);
        }
    }

    [Fact]
    public async Task UnknownV1Route_Is404_InOpenAisShape()
    {
        var (response, error) = await PostRawAsync(platform.DemoKey, "/v1/completions", "{}");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        error.GetProperty("message").GetString().ShouldBe("Invalid URL (POST /v1/completions).");
    }

    [Fact]
    public async Task Chat_MalformedJson_Is400()
    {
        var (response, error) = await PostRawAsync(platform.DemoKey, "/v1/chat/completions", "{\"model\": \"mock/mock-1\", \"messages\": [");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("message").GetString()!.ShouldContain("could not parse the JSON body");
    }

    [Fact]
    public async Task Chat_BodyOverTheLimit_Is413()
    {
        var body = $"{{\"model\":\"mock/mock-1\",\"messages\":[{{\"role\":\"user\",\"content\":\"{new string('a', 5 * 1024 * 1024)}\"}}]}}";

        var (response, error) = await PostRawAsync(platform.DemoKey, "/v1/chat/completions", body);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        error.GetProperty("code").GetString().ShouldBe("request_too_large");
    }

    [Fact]
    public async Task Chat_ModelNotAllowedForTheKey_Is403()
    {
        using var admin = platform.CreateAdminClient();
        var tenant = await (await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { name = $"m-{Guid.NewGuid():N}"[..20] }, TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var created = await (await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenant.GetProperty("id").GetGuid()}/keys", new { name = "local-only", allowedModels = new[] { "local/local-chat" } }, TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        var (response, error) = await PostRawAsync(created.GetProperty("key").GetString()!, "/v1/chat/completions",
            "{\"model\":\"mock/mock-1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        error.GetProperty("code").GetString().ShouldBe("model_not_allowed");
    }

    [Fact]
    public async Task Chat_ProviderRateLimit_Is429_WithRetryAfter()
    {
        var chat = platform.CreateOpenAiClient(platform.DemoKey, retries: false).GetChatClient("mock/mock-err-429");

        var exception = await Should.ThrowAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("[[status:429]]")], cancellationToken: TestContext.Current.CancellationToken));

        exception.Status.ShouldBe(429);
        exception.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter).ShouldBeTrue();
        retryAfter.ShouldBe("7");
    }

    [Theory]
    [InlineData("mock-err-500", 500, 502)]
    [InlineData("mock-1", 400, 400)]
    [InlineData("mock-err-401", 401, 502)]
    public async Task Chat_ProviderFailure_MapsToAClearStatus(string model, int upstream, int expected)
    {
        var (response, error) = await PostRawAsync(platform.DemoKey, "/v1/chat/completions",
            $"{{\"model\":\"mock/{model}\",\"messages\":[{{\"role\":\"user\",\"content\":\"[[status:{upstream}]]\"}}]}}");

        ((int)response.StatusCode).ShouldBe(expected);
        error.GetProperty("message").GetString()!.ShouldContain("mock");
    }

    [Fact]
    public async Task Chat_Streaming_ProviderFailureBeforeTheFirstToken_IsAPlainError()
    {
        var (response, error) = await PostRawAsync(platform.DemoKey, "/v1/chat/completions",
            "{\"model\":\"mock/mock-err-stream\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"[[status:500]]\"}]}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        error.GetProperty("code").GetString().ShouldBe("provider_error");
    }

    private async Task<List<string>> RawStreamAsync(object body)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.DemoKey);
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", body, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        text.ShouldEndWith("\n\n");
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.ShouldStartWithAndTrim("data: "))];
    }

    private async Task<(HttpResponseMessage Response, JsonElement Error)> PostRawAsync(string key, string path, string body)
    {
        using var http = platform.App.CreateHttpClient("gateway");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        return (response, error);
    }

    private static string Marker() => $"m{Guid.NewGuid():N}";
}

internal static class SseAssertions
{
    public static string ShouldStartWithAndTrim(this string sseEvent, string prefix)
    {
        sseEvent.ShouldStartWith(prefix);
        return sseEvent[prefix.Length..];
    }
}
