using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenAI.Chat;

namespace Agents.FunctionalTests;

// The critic loop: a reviewer model scores each draft; one below the threshold is written again with the critique.
public sealed class CriticTests(PlatformFixture platform)
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARejectedFirstDraft_IsWrittenAgain_TheSecondIsTheAnswer_BothScoresKept_AndTheRouterLearnsFromThem()
    {
        var (_, key) = await platform.CreateTenantWithKeyAsync(new { name = "agent-critic" });
        using var http = platform.CreateGatewayClient(key);
        var created = await http.PostAsJsonAsync("/api/v1/orchestrator/agents", new
        {
            name = "careful-writer",
            instructions = "Answer from the calculator's result.",
            // Only this test's drafts are written by mock-weak: what the Router learns of it here comes from them.
            model = "mock/mock-weak",
            tools = new[] { "calculator" },
            critic = new { model = "mock/mock-1", threshold = 0.7, maxRetries = 2 },
        }, Cancellation);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
        const string question = """[[critic:0.3,0.9]] [[calls:calculator {"expression":"6*7"}]] What is six times seven?""";

        // Streamed: only the answer that passed its review reaches the client, never the rejected draft.
        var chat = platform.CreateOpenAiClient(key).GetChatClient("agent/careful-writer");
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(question)], cancellationToken: Cancellation))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
        }
        streamed.ToString().ShouldStartWith("mock: A reviewer scored your answer 0.30 of 1");

        var runs = await http.GetFromJsonAsync<JsonElement>("/v1/agents/runs?agent=careful-writer", Cancellation);
        var run = await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{runs.GetProperty("data")[0].GetProperty("id").GetGuid()}", Cancellation);
        run.GetProperty("answer").GetString().ShouldBe(streamed.ToString());
        var reviews = run.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("type").GetString() == "critic.review").Select(s => s.GetProperty("data")).ToList();
        reviews.Select(r => (r.GetProperty("round").GetInt32(), r.GetProperty("score").GetDouble(), r.GetProperty("passed").GetBoolean())).ShouldBe([(1, 0.3, false), (2, 0.9, true)]);
        reviews[0].GetProperty("draft").GetString().ShouldBe("mock: 42");
        reviews[0].GetProperty("draft_model").GetString().ShouldBe("mock/mock-weak");
        reviews[0].GetProperty("cost").GetDecimal().ShouldBeGreaterThan(0);

        // Every step of mock-weak succeeded; only the reviews' 0.3 can pull its learned quality below 1.
        await Eventually.TrueAsync(async () =>
        {
            var models = await http.GetFromJsonAsync<JsonElement>("/api/v1/router/providers", Cancellation);
            var weak = models.EnumerateArray().Single(m => m.GetProperty("model").GetString() == "mock/mock-weak");
            return weak.GetProperty("intents").TryGetProperty("general", out var general) && general.GetProperty("successEma").GetDouble() < 1;
        }, "the review learned by the Router");
    }
}
