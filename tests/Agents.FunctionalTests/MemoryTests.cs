using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI.Chat;

namespace Agents.FunctionalTests;

// An agent's memory of each user: the conversation (Redis), past exchanges recalled by similarity and facts as
// entities and relations (PostgreSQL). The mock provider's [[context]] answers with everything the model was given
// before the question, which is how these tests see what an agent remembered.
public sealed class MemoryTests(PlatformFixture platform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFactToldInOneConversation_IsRecalledInTheNext_ErasingTheUser_ForgetsAllThreeTiers_AndNothingCrossesTenants()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "memory-a" });
        using var http = platform.CreateGatewayClient(key);
        await CreateAgentAsync(http, "concierge", new { });
        var chat = platform.CreateOpenAiClient(key).GetChatClient("agent/concierge");

        // Hot: the OpenAI SDK with a user and a conversation; the next request of the conversation sends only its new message.
        (await AskAsync(chat, "alice", "trip-1", "My favourite colour is teal.")).ShouldBe("mock: My favourite colour is teal.");
        (await AskAsync(chat, "alice", "trip-1", "[[context]] And what should I pack?")).ShouldContain("My favourite colour is teal. | mock: My favourite colour is teal.");

        // Warm: another conversation recalls the earlier exchange by its meaning.
        var recalled = await AgentRuns.RunAsync(http, "concierge", new { input = "[[context]] Which colour do I like best?", user = "alice", conversation = "trip-2" });
        recalled.GetProperty("answer").GetString()!.ShouldContain("The user said: My favourite colour is teal.");
        var memory = AgentRuns.Steps(recalled, "memory.recalled").Single();
        memory.GetProperty("turns").GetInt32().ShouldBe(0);
        memory.GetProperty("recalled")[0].GetProperty("kind").GetString().ShouldBe("exchange");

        // Cold: a fact written with the memory tool in one conversation, read with it in another.
        var remembered = await AgentRuns.RunAsync(http, "concierge", new
        {
            input = """[[calls:remember {"subject":"Alice","relation":"works at","object":"Contoso"}]] I work at Contoso.""",
            user = "alice",
        });
        remembered.GetProperty("answer").GetString().ShouldBe("mock: Remembered: Alice works at Contoso.");
        var recall = await AgentRuns.RunAsync(http, "concierge", new { input = """[[calls:recall {"about":"contoso"}]] Where do I work?""", user = "alice", conversation = "work" });
        recall.GetProperty("answer").GetString()!.ShouldContain("- Alice works at Contoso");

        var alice = await http.GetFromJsonAsync<JsonElement>("/v1/agents/memory/users/alice", Cancellation);
        alice.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("conversation").GetString()).Order().ShouldBe(["trip-1", "trip-2", "work"]);
        alice.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ShouldContain(t => t!.Contains("favourite colour is teal"));
        alice.GetProperty("facts").EnumerateArray().Select(f => $"{f.GetProperty("subject")} {f.GetProperty("relation")} {f.GetProperty("object")}").ShouldBe(["Alice works_at Contoso"]);

        // Another tenant's alice is someone else: nothing of the first's is listed or recalled.
        var (_, otherKey) = await platform.CreateTenantWithKeyAsync(new { name = "memory-b" });
        using var other = platform.CreateGatewayClient(otherKey);
        await CreateAgentAsync(other, "concierge", new { });
        (await other.GetFromJsonAsync<JsonElement>("/v1/agents/memory/users/alice", Cancellation)).GetProperty("memories").GetArrayLength().ShouldBe(0);
        var elsewhere = await AgentRuns.RunAsync(other, "concierge", new { input = "[[context]] Which colour do I like best?", user = "alice", conversation = "trip-1" });
        elsewhere.GetProperty("answer").GetString()!.ShouldNotContain("teal");
        (await AgentRuns.RunAsync(other, "concierge", new { input = """[[calls:recall {"about":"contoso"}]] Where do I work?""", user = "alice" }))
            .GetProperty("answer").GetString().ShouldBe("mock: Nothing is remembered about 'contoso'.");

        // Erased: every tier of alice's memory, in this tenant only.
        using var erase = await http.DeleteAsync("/v1/agents/memory/users/alice", Cancellation);
        erase.StatusCode.ShouldBe(HttpStatusCode.OK);
        var erased = await erase.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        erased.GetProperty("conversations").GetInt32().ShouldBe(3);
        erased.GetProperty("facts").GetInt32().ShouldBe(1);
        erased.GetProperty("memories").GetInt32().ShouldBeGreaterThanOrEqualTo(5);
        var forgotten = await http.GetFromJsonAsync<JsonElement>("/v1/agents/memory/users/alice", Cancellation);
        forgotten.GetProperty("conversations").GetArrayLength().ShouldBe(0);
        forgotten.GetProperty("memories").GetArrayLength().ShouldBe(0);
        forgotten.GetProperty("facts").GetArrayLength().ShouldBe(0);
        var after = await AgentRuns.RunAsync(http, "concierge", new { input = "[[context]] Which colour do I like best?", user = "alice", conversation = "trip-1" });
        after.GetProperty("answer").GetString()!.ShouldNotContain("teal");
        AgentRuns.Steps(after, "memory.recalled").Single().GetProperty("turns").GetInt32().ShouldBe(0);
        (await AgentRuns.RunAsync(http, "concierge", new { input = """[[calls:recall {"about":"contoso"}]] Where do I work?""", user = "alice" }))
            .GetProperty("answer").GetString().ShouldBe("mock: Nothing is remembered about 'contoso'.");
        (await other.GetFromJsonAsync<JsonElement>("/v1/agents/memory/users/alice", Cancellation)).GetProperty("memories").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task AConversationPastItsTokenBudget_IsSummarised_ByAMeteredModelCall_AndGoesOnFromTheSummary()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "memory-summary" });
        using var http = platform.CreateGatewayClient(key);
        await CreateAgentAsync(http, "note-taker", new { conversationTokens = 100, recallTop = 0 });
        var words = string.Join(' ', Enumerable.Range(1, 30).Select(i => $"note{i}"));

        JsonElement run = default;
        for (var turn = 1; turn <= 3; turn++)
        {
            // The last turn shows its context; the earlier ones are plain, as the summary's prompt quotes them.
            var show = turn == 3 ? "[[context]] " : "";
            run = await AgentRuns.RunAsync(http, "note-taker", new { input = $"{show}Turn {turn}: {words}", user = "bob", conversation = "notes" });
            run.GetProperty("state").GetString().ShouldBe("succeeded", run.ToString());
        }

        // Two turns of about 70 tokens each passed the budget of 100: the older were summarised before the third.
        var memory = AgentRuns.Steps(run, "memory.recalled").Single();
        memory.GetProperty("summary").GetString()!.ShouldStartWith("mock: Summarise the earlier part of a conversation");
        memory.GetProperty("summary").GetString()!.ShouldContain("Turn 1:");
        memory.GetProperty("summary_cost").GetDecimal().ShouldBeGreaterThan(0);
        memory.GetProperty("turns").GetInt32().ShouldBeLessThan(4);
        run.GetProperty("answer").GetString()!.ShouldContain("The earlier part of this conversation, summarised: mock: Summarise");
        // The summary's model call is the run's: counted in its cost beside its one step.
        run.GetProperty("cost").GetDecimal().ShouldBeGreaterThan(AgentRuns.Steps(run, "model.step").Single().GetProperty("cost").GetDecimal());

        var bob = await http.GetFromJsonAsync<JsonElement>("/v1/agents/memory/users/bob", Cancellation);
        var notes = bob.GetProperty("conversations").EnumerateArray().Single();
        notes.GetProperty("summary").GetString()!.ShouldContain("Turn 1:");
        notes.GetProperty("turns").EnumerateArray().Last().GetProperty("text").GetString()!.ShouldStartWith("mock: ");
    }

    [Fact]
    public async Task MemorySettings_AndTheUserOfARun_AreValidated()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "memory-validation" });
        using var http = platform.CreateGatewayClient(key);
        var wrong = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name = "forgetful", instructions = "Help.", model = "mock/mock-1", memory = new { conversationTokens = 10, recallThreshold = 2 } }, Cancellation);
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await wrong.Content.ReadAsStringAsync(Cancellation)).ShouldContain("memory");

        await CreateAgentAsync(http, "keeper", new { });
        var run = await http.PostAsJsonAsync("/v1/agents/keeper/runs", new { input = "Hello", user = new string('u', 300) }, Cancellation);
        run.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await run.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error").GetProperty("param").GetString().ShouldBe("user");
        var metadata = await http.PostAsJsonAsync("/v1/chat/completions",
            new { model = "agent/keeper", messages = new[] { new { role = "user", content = "Hello" } }, metadata = new { conversation_id = 7 } }, Cancellation);
        metadata.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await metadata.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error").GetProperty("param").GetString().ShouldBe("metadata");

        // Without a user, a run remembers for its key.
        var keyed = await AgentRuns.RunAsync(http, "keeper", new { input = "Remember me." });
        keyed.GetProperty("user").GetString()!.ShouldStartWith("key:");
    }

    private static async Task<string> AskAsync(ChatClient chat, string user, string conversation, string text)
    {
        var options = new ChatCompletionOptions { EndUserId = user };
        options.Metadata["conversation_id"] = conversation;
        return (await chat.CompleteChatAsync([new UserChatMessage(text)], options, Cancellation)).Value.Content[0].Text;
    }

    private static async Task CreateAgentAsync(HttpClient http, string name, object memory)
    {
        var response = await http.PostAsJsonAsync("/api/v1/orchestrator/agents",
            new { name, instructions = "You remember what users tell you.", model = "mock/mock-1", memory }, Cancellation);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancellation));
    }
}
