using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI.Chat;

namespace Agents.FunctionalTests;

// Agents through the Gateway: defined with the platform API, run with any OpenAI client as model "agent/<name>" or
// through the runs API, their tools on a real MCP server, their model calls scripted on the mock provider.
public sealed class AgentTests(PlatformFixture platform) : IAsyncLifetime
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;
    private TestMcpServer _tools = null!;

    public async ValueTask InitializeAsync() => _tools = await TestMcpServer.StartAsync();

    public async ValueTask DisposeAsync() => await _tools.DisposeAsync();

    [Fact]
    public async Task AnAgent_AnswersThroughTheOpenAiSdk_CallingAnMcpTool_WholeAndStreamed_WithEveryStepBilled()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "agents" });
        using var http = platform.CreateGatewayClient(key);
        await RegisterToolsAsync(http, "weather");
        await CreateAgentAsync(http, "forecaster", ["mcp:weather/get_weather"]);
        var chat = platform.CreateOpenAiClient(key).GetChatClient("agent/forecaster");

        var whole = await chat.CompleteChatAsync([new UserChatMessage(Question("Paris"))], cancellationToken: Cancellation);
        whole.Value.Content[0].Text.ShouldBe("mock: Sunny in Paris, 21 °C");
        whole.Value.Usage.InputTokenCount.ShouldBe(2 * MockOpenAiServer.PromptTokens);

        // Another city: the same question again would be answered by the exact cache, step by step.
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(Question("Berlin"))], cancellationToken: Cancellation))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
        }
        streamed.ToString().ShouldBe("mock: Sunny in Berlin, 21 °C");

        // On the wire, the tool steps are chunks of their own as they happen, between the text's.
        var chunks = await StreamChunksAsync(http, "agent/forecaster", Question("Rome"));
        chunks.Where(c => c.TryGetProperty("agent_step", out _)).Select(c => c.GetProperty("agent_step").GetProperty("type").GetString()).ShouldBe(["tool.call", "tool.result"]);
        chunks.Where(c => c.TryGetProperty("agent_step", out _)).ShouldAllBe(c => c.GetProperty("choices").GetArrayLength() == 0);
        string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var text) ? text.GetString() : "")).ShouldBe("mock: Sunny in Rome, 21 °C");
        _tools.CallsOf("get_weather").ShouldBe(3);

        // Three runs of two model calls each, every one through the Gateway as this key, priced and billed.
        var steps = await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 6);
        steps.Count(e => e.Endpoint == "agent.step").ShouldBe(6);
        steps.Where(e => e.Endpoint == "agent.step").ShouldAllBe(e => e.RunId != null && e.Model == "mock/mock-1" && e.Cost > 0);
        await Eventually.TrueAsync(async () => (await BillingCostAsync(http)) == steps.Where(e => e.Endpoint == "agent.step").Sum(e => e.Cost), "the steps billed");
    }

    [Fact]
    public async Task ARun_ShowsItsStepsLiveAndAfter_WithUsageAndCostTheSumOfItsModelCalls()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-runs" });
        using var http = platform.CreateGatewayClient(key);
        await RegisterToolsAsync(http, "weather");
        await CreateAgentAsync(http, "planner", ["mcp:weather/get_weather", "calculator"]);

        var run = await AgentRuns.StartAsync(http, "planner", new { input = """[[calls:calculator {"expression":"(17.5 * 4) / 2"}|weather__get_weather {"city":"Oslo"}]] Plan my day.""" });
        var events = await FollowAsync(http, run);

        events.Select(e => e.Type).ShouldBe(["run.started", "model.step", "tool.call", "tool.result", "model.step", "tool.call", "tool.result", "model.step", "run.succeeded"]);
        events.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (int?)i));
        events[3].Data.GetProperty("result").GetString().ShouldBe("35");
        events[6].Data.GetProperty("result").GetString().ShouldBe("Sunny in Oslo, 21 °C");
        events[^1].Data.GetProperty("answer").GetString().ShouldBe("mock: Sunny in Oslo, 21 °C");

        // Resumed from an event's number: only what came after it.
        (await FollowAsync(http, run, after: 7)).Select(e => e.Seq).ShouldBe([8, 9]);

        var stored = await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{run}", Cancellation);
        stored.GetProperty("state").GetString().ShouldBe("succeeded");
        stored.GetProperty("agent_version").GetInt32().ShouldBe(1);
        stored.GetProperty("model_calls").GetInt32().ShouldBe(3);
        stored.GetProperty("tool_calls").GetInt32().ShouldBe(2);
        stored.GetProperty("steps").GetArrayLength().ShouldBe(9);
        var usage = (await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 3)).Where(e => e.RunId == run).ToList();
        usage.Count.ShouldBe(3);
        stored.GetProperty("usage").GetProperty("input_tokens").GetInt64().ShouldBe(usage.Sum(e => e.InputTokens));
        stored.GetProperty("usage").GetProperty("output_tokens").GetInt64().ShouldBe(usage.Sum(e => e.OutputTokens));
        stored.GetProperty("cost").GetDecimal().ShouldBe(usage.Sum(e => e.Cost));
    }

    [Fact]
    public async Task AToolNotOnTheAllowList_IsRefused_AndNeverCalled()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-allow-list" });
        using var http = platform.CreateGatewayClient(key);
        await RegisterToolsAsync(http, "bank");
        await CreateAgentAsync(http, "careful", ["mcp:bank/get_weather"]);

        var run = await AgentRuns.StartAsync(http, "careful", new { input = """[[calls:bank__charge {"account":"acme","amount":5}]] Pay the bill.""" });
        var events = await FollowAsync(http, run);

        var refused = events.Single(e => e.Type == "tool.refused");
        refused.Data.GetProperty("tool").GetString().ShouldBe("bank__charge");
        events.ShouldNotContain(e => e.Type == "tool.call");
        events[^1].Type.ShouldBe("run.succeeded");
        _tools.ChargesOf("acme").ShouldBe(0);
    }

    [Fact]
    public async Task ARun_ThatReachesItsIterationLimit_StopsWithAClearError_BilledForWhatItUsed()
    {
        var (tenantId, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-iterations" });
        using var http = platform.CreateGatewayClient(key);
        await CreateAgentAsync(http, "looper", ["calculator"], limits: new { maxIterations = 2 });

        var chat = platform.CreateOpenAiClient(key, retries: false).GetChatClient("agent/looper");
        var refused = await Should.ThrowAsync<System.ClientModel.ClientResultException>(() => chat.CompleteChatAsync(
            [new UserChatMessage("""[[calls:calculator {"expression":"1+1"}|calculator {"expression":"2+2"}|calculator {"expression":"3+3"}]] Count.""")], cancellationToken: Cancellation));

        refused.Status.ShouldBe(422);
        refused.Message.ShouldContain("max_iterations_exceeded");
        var steps = await UsageEvents.ForTenantAsync(platform.App, tenantId, expected: 2);
        steps.Count(e => e.Endpoint == "agent.step").ShouldBe(2);
    }

    [Fact]
    public async Task ARun_ThatReachesItsCostLimit_StopsWithAClearError()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-cost" });
        using var http = platform.CreateGatewayClient(key);
        // One mock-1 call costs about 0.00001 USD.
        await CreateAgentAsync(http, "spender", ["calculator"], limits: new { maxCostUsd = 0.000001m });

        var run = await AgentRuns.StartAsync(http, "spender", new { input = """[[calls:calculator {"expression":"1+1"}]] Count.""" });
        var events = await FollowAsync(http, run);

        events[^1].Type.ShouldBe("run.failed");
        events[^1].Data.GetProperty("error").GetProperty("code").GetString().ShouldBe("cost_limit_exceeded");
        events[^1].Data.GetProperty("cost").GetDecimal().ShouldBeGreaterThan(0);
        events.Count(e => e.Type == "model.step").ShouldBe(1);
    }

    [Fact]
    public async Task Agents_AreVersioned_Validated_AndSeenOnlyByTheirTenant()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-registry" });
        var (_, otherKey) = await platform.CreateTenantWithKeyAsync(new { name = "agent-registry-other" });
        using var http = platform.CreateGatewayClient(key);
        using var other = platform.CreateGatewayClient(otherKey);

        await CreateAgentAsync(http, "helper", ["calculator"]);
        (await http.PostAsJsonAsync("/api/v1/orchestrator/agents", Agent("helper", ["calculator"]), Cancellation)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await http.PutAsJsonAsync("/api/v1/orchestrator/agents/helper", Agent("helper", ["calculator", "knowledge_search"]), Cancellation)).EnsureSuccessStatusCode();
        var saved = await http.GetFromJsonAsync<JsonElement>("/api/v1/orchestrator/agents/helper", Cancellation);
        saved.GetProperty("version").GetInt32().ShouldBe(2);
        (await http.GetFromJsonAsync<JsonElement>("/api/v1/orchestrator/agents/helper/versions", Cancellation)).GetArrayLength().ShouldBe(2);

        foreach (var invalid in new object[]
        {
            Agent("Bad Name", ["calculator"]),
            Agent("runs", ["calculator"]),
            Agent("unknown-tool", ["shell"]),
            Agent("unknown-server", ["mcp:nowhere/anything"]),
            new { name = "unknown-model", instructions = "Help.", model = "mock/no-such-model" },
            new { name = "no-instructions", model = "mock/mock-1" },
            new { name = "too-many", instructions = "Help.", limits = new { maxIterations = 1_000 } },
        })
        {
            var response = await http.PostAsJsonAsync("/api/v1/orchestrator/agents", invalid, Cancellation);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, JsonSerializer.Serialize(invalid));
        }

        // Another tenant sees neither the agent nor its runs, and cannot run it.
        (await other.GetAsync("/api/v1/orchestrator/agents/helper", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var run = await AgentRuns.StartAsync(http, "helper", new { input = "Hello." });
        (await other.GetAsync($"/v1/agents/runs/{run}", Cancellation)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var notFound = await other.PostAsJsonAsync("/v1/agents/helper/runs", new { input = "Hello." }, Cancellation);
        notFound.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await notFound.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error").GetProperty("code").GetString().ShouldBe("agent_not_found");
        var unreadable = await http.PostAsJsonAsync("/v1/agents/helper/runs", new { messages = new[] { new { role = "tool", content = "x" } } }, Cancellation);
        unreadable.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task McpServers_OnlyAtAllowedAddresses_AndOnlyWhenTheyListTheirTools()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-mcp" });
        using var http = platform.CreateGatewayClient(key);

        var privateAddress = await http.PostAsJsonAsync("/api/v1/orchestrator/mcp-servers", new { name = "inside", url = "http://10.0.0.1/mcp" }, Cancellation);
        privateAddress.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var nothingThere = await http.PostAsJsonAsync("/api/v1/orchestrator/mcp-servers", new { name = "gone", url = "http://127.0.0.1:1/mcp", timeoutSeconds = 2 }, Cancellation);
        nothingThere.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);

        _tools.RequiredBearer = "tool-secret";
        var listed = await RegisterToolsAsync(http, "private-tools", new Dictionary<string, string> { ["Authorization"] = "Bearer tool-secret" });
        listed.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldContain("charge");
        listed.GetProperty("tools").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "charge").GetProperty("costUsd").GetDecimal().ShouldBe(0.01m);
        // The header's value is kept for the calls, never shown back.
        listed.GetProperty("headers").EnumerateArray().Select(h => h.GetString()).ShouldBe(["Authorization"]);
        listed.ToString().ShouldNotContain("tool-secret");
    }

    private static string Question(string city) => $$"""[[calls:weather__get_weather {"city":"{{city}}"}]] What is the weather in {{city}}?""";


    private async Task<JsonElement> RegisterToolsAsync(HttpClient http, string name, Dictionary<string, string>? headers = null)
    {
        var response = await http.PostAsJsonAsync("/api/v1/orchestrator/mcp-servers", new { name, url = _tools.Endpoint, headers }, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancellation));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
    }

    private static object Agent(string name, string[] tools, object? limits = null) =>
        new { name, instructions = "You help with the tools you have.", model = "mock/mock-1", tools, limits };

    private static async Task CreateAgentAsync(HttpClient http, string name, string[] tools, object? limits = null)
    {
        var response = await http.PostAsJsonAsync("/api/v1/orchestrator/agents", Agent(name, tools, limits), Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancellation));
    }

    /// <summary>The run's stored events (not the live text), read from its event stream until the run ends.</summary>
    private static async Task<List<(int? Seq, string Type, JsonElement Data)>> FollowAsync(HttpClient http, Guid run, int after = 0)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/agents/runs/{run}/events");
        if (after > 0)
        {
            request.Headers.Add("Last-Event-ID", after.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        var events = new List<(int?, string, JsonElement)>();
        var parser = System.Net.ServerSentEvents.SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token), (_, data) => JsonDocument.Parse(data.ToArray()).RootElement.Clone());
        await foreach (var item in parser.EnumerateAsync(timeout.Token))
        {
            if (item.EventType != "delta")
            {
                events.Add((int.TryParse(item.EventId, out var seq) ? seq : null, item.EventType, item.Data));
            }
        }
        return events;
    }

    /// <summary>The chunks of a streamed chat completion, as JSON, read off the wire.</summary>
    private static async Task<List<JsonElement>> StreamChunksAsync(HttpClient http, string model, string question)
    {
        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new { model, stream = true, messages = new[] { new { role = "user", content = question } } }, Cancellation);
        response.EnsureSuccessStatusCode();
        var parser = System.Net.ServerSentEvents.SseParser.Create(await response.Content.ReadAsStreamAsync(Cancellation));
        var chunks = new List<JsonElement>();
        await foreach (var item in parser.EnumerateAsync(Cancellation))
        {
            if (item.Data != "[DONE]")
            {
                chunks.Add(JsonDocument.Parse(item.Data).RootElement.Clone());
            }
        }
        return chunks;
    }

    private static async Task<decimal> BillingCostAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/v1/billing/usage", Cancellation)).GetProperty("totals").GetProperty("cost").GetDecimal();
}
