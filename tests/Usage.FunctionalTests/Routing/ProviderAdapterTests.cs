using System.ClientModel;
using System.Text;
using OpenAI.Chat;

namespace Routing.FunctionalTests;

// The same OpenAI-compatible front door in front of providers that speak other protocols.
public sealed class ProviderAdapterTests(PlatformFixture platform)
{
    [Fact]
    public async Task Anthropic_Chat_ThroughTheOpenAiSdk()
    {
        var marker = $"a{Guid.NewGuid():N}";
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("claude/claude-mock");

        var completion = (await chat.CompleteChatAsync([new SystemChatMessage("be brief"), new UserChatMessage($"hello {marker}")], cancellationToken: TestContext.Current.CancellationToken)).Value;

        completion.Content[0].Text.ShouldBe($"claude: hello {marker}");
        completion.Usage.InputTokenCount.ShouldBe(11);
        completion.Usage.OutputTokenCount.ShouldBe(3);
        var (body, headers) = platform.MockAnthropic.LastRequestContaining(marker);
        // The SDK decides how to present the key (x-api-key or a bearer token); either way it must arrive.
        $"{headers["x-api-key"]} {headers.Authorization}".ShouldContain("sk-ant-mock");
        headers.ContainsKey("anthropic-version").ShouldBeTrue();
        body["model"]!.ToString().ShouldBe("claude-mock");
        body["max_tokens"]!.GetValue<int>().ShouldBeGreaterThan(0);
        body.ToJsonString().ShouldContain("be brief");
    }

    [Fact]
    public async Task Anthropic_Streaming_ThroughTheOpenAiSdk()
    {
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("claude/claude-mock");
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream from claude")], cancellationToken: TestContext.Current.CancellationToken))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            usage ??= update.Usage;
        }

        text.ToString().ShouldBe("claude: stream from claude");
        usage.ShouldNotBeNull();
        usage.OutputTokenCount.ShouldBe(4);
    }

    [Fact]
    public async Task Anthropic_RateLimit_Is429()
    {
        var chat = platform.CreateOpenAiClient(platform.DemoKey, retries: false).GetChatClient("claude/claude-mock");

        var exception = await Should.ThrowAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("[[status:429]]")], cancellationToken: TestContext.Current.CancellationToken));

        exception.Status.ShouldBe(429);
    }

    [Fact]
    public async Task Ollama_Chat_AndStream_ThroughTheOpenAiSdk()
    {
        var marker = $"o{Guid.NewGuid():N}";
        var chat = platform.CreateOpenAiClient(platform.DemoKey).GetChatClient("llama/llama-mock");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage(marker)], cancellationToken: TestContext.Current.CancellationToken)).Value;
        var streamed = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("two words")], cancellationToken: TestContext.Current.CancellationToken))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        completion.Content[0].Text.ShouldBe($"llama: {marker}");
        completion.Usage.InputTokenCount.ShouldBe(5);
        completion.Usage.OutputTokenCount.ShouldBe(2);
        platform.MockOllama.LastRequestContaining(marker).Body["model"]!.ToString().ShouldBe("llama-mock");
        streamed.ToString().ShouldBe("llama: two words");
    }

    [Fact]
    public async Task Ollama_Embeddings_ThroughTheOpenAiSdk()
    {
        var embeddings = platform.CreateOpenAiClient(platform.DemoKey).GetEmbeddingClient("llama/llama-embed");

        var result = (await embeddings.GenerateEmbeddingsAsync(["abc", "abcdef"], cancellationToken: TestContext.Current.CancellationToken)).Value;

        result[0].ToFloats().ToArray().ShouldBe([3f, 0.5f, -0.5f]);
        result[1].ToFloats().ToArray().ShouldBe([6f, 0.5f, -0.5f]);
    }
}
