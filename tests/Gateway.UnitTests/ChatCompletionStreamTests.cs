using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

public sealed class ChatCompletionStreamTests
{
    private readonly DefaultHttpContext _http = new();
    private readonly CancellationToken _cancellation = TestContext.Current.CancellationToken;

    public ChatCompletionStreamTests()
    {
        _http.Response.Body = new MemoryStream();
        _http.Features.Set(new UsageRecord { Model = Catalog(("openai", ChatModel("gpt-4o"))).Find("gpt-4o").Model });
    }

    [Fact]
    public async Task WriteAsync_TextUpdates_AreChunksWithTheRoleOnlyInTheFirst_ThenFinishAndDone()
    {
        var stream = new ChatCompletionWriter.Stream(_http.Response, "openai/gpt-4o", includeUsage: false);

        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, "Hel") { ResponseId = "resp-1" }, _cancellation);
        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, "lo") { FinishReason = ChatFinishReason.Stop }, _cancellation);
        await stream.CompleteAsync(_cancellation);

        _http.Response.ContentType.ShouldBe("text/event-stream");
        var (chunks, done) = Events();
        done.ShouldBeTrue();
        chunks.Count.ShouldBe(3);
        chunks.ShouldAllBe(c => c.GetProperty("object").GetString() == "chat.completion.chunk" && c.GetProperty("id").GetString() == "resp-1");
        Delta(chunks[0]).GetProperty("role").GetString().ShouldBe("assistant");
        Delta(chunks[0]).GetProperty("content").GetString().ShouldBe("Hel");
        Delta(chunks[1]).TryGetProperty("role", out _).ShouldBeFalse();
        Delta(chunks[1]).GetProperty("content").GetString().ShouldBe("lo");
        chunks[1].GetProperty("choices")[0].GetProperty("finish_reason").ValueKind.ShouldBe(JsonValueKind.Null);
        Delta(chunks[2]).EnumerateObject().ShouldBeEmpty();
        chunks[2].GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("stop");
    }

    [Fact]
    public async Task WriteAsync_UpdateWithNothingToSay_IsSkippedAfterTheFirst()
    {
        var stream = new ChatCompletionWriter.Stream(_http.Response, "m", includeUsage: false);

        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, ""), _cancellation);
        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, ""), _cancellation);
        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, "x"), _cancellation);

        var (chunks, _) = Events();
        chunks.Count.ShouldBe(2);
        Delta(chunks[0]).GetProperty("role").GetString().ShouldBe("assistant");
        Delta(chunks[1]).GetProperty("content").GetString().ShouldBe("x");
    }

    [Fact]
    public async Task CompleteAsync_IncludeUsage_SendsAUsageChunkWithNoChoices()
    {
        var stream = new ChatCompletionWriter.Stream(_http.Response, "openai/gpt-4o", includeUsage: true);

        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, "hi"), _cancellation);
        await stream.WriteAsync(new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 1_000_000 })] }, _cancellation);
        await stream.CompleteAsync(_cancellation);

        var (chunks, done) = Events();
        done.ShouldBeTrue();
        var usage = chunks[^1];
        usage.GetProperty("choices").GetArrayLength().ShouldBe(0);
        usage.GetProperty("usage").GetProperty("total_tokens").GetInt64().ShouldBe(2_000_000);
        // The test catalog's prices: $1 and $2 per million.
        usage.GetProperty("usage").GetProperty("cost").GetDecimal().ShouldBe(3m);
        stream.Usage.ShouldNotBeNull().InputTokenCount.ShouldBe(1_000_000);
    }

    [Fact]
    public async Task CompleteAsync_UsageNotAskedFor_IsNotSent()
    {
        var stream = new ChatCompletionWriter.Stream(_http.Response, "m", includeUsage: false);

        await stream.WriteAsync(new ChatResponseUpdate { Contents = [new TextContent("hi"), new UsageContent(new UsageDetails { InputTokenCount = 3 })] }, _cancellation);
        await stream.CompleteAsync(_cancellation);

        Events().Chunks.Any(c => c.TryGetProperty("usage", out _)).ShouldBeFalse();
    }

    [Fact]
    public async Task WriteAsync_ToolCallsAcrossUpdates_AreIndexedInTurn_AndFinishAsToolCalls()
    {
        var stream = new ChatCompletionWriter.Stream(_http.Response, "m", includeUsage: false);

        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c1", "a")]), _cancellation);
        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("c2", "b"), new FunctionCallContent("c3", "c")]), _cancellation);
        await stream.CompleteAsync(_cancellation);

        var (chunks, _) = Events();
        Delta(chunks[0]).TryGetProperty("content", out _).ShouldBeFalse();
        var calls = chunks.Take(2).SelectMany(c => Delta(c).GetProperty("tool_calls").EnumerateArray()).ToList();
        calls.Select(c => c.GetProperty("index").GetInt32()).ShouldBe([0, 1, 2]);
        calls.Select(c => c.GetProperty("id").GetString()).ShouldBe(["c1", "c2", "c3"]);
        chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("tool_calls");
    }

    [Fact]
    public async Task CompleteAsync_FinishReasonSentEarly_IsTheFirstOneReported()
    {
        var stream = new ChatCompletionWriter.Stream(_http.Response, "m", includeUsage: false);

        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, "cut") { FinishReason = ChatFinishReason.Length }, _cancellation);
        await stream.WriteAsync(new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop }, _cancellation);
        await stream.CompleteAsync(_cancellation);

        Events().Chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("length");
    }

    [Fact]
    public async Task FailAsync_WritesAnOpenAiErrorEvent_WithoutDone()
    {
        var stream = new ChatCompletionWriter.Stream(_http.Response, "m", includeUsage: false);
        var error = new ExecutionError(502, "mock failed", "api_error", "provider_error");

        await stream.WriteAsync(new ChatResponseUpdate(ChatRole.Assistant, "par"), _cancellation);
        await stream.FailAsync(error, _cancellation);

        var (chunks, done) = Events();
        done.ShouldBeFalse();
        var written = chunks[^1].GetProperty("error");
        written.GetProperty("message").GetString().ShouldBe("mock failed");
        written.GetProperty("type").GetString().ShouldBe("api_error");
        written.GetProperty("code").GetString().ShouldBe("provider_error");
    }

    private static JsonElement Delta(JsonElement chunk) => chunk.GetProperty("choices")[0].GetProperty("delta");

    // The SSE events written: each "data: {json}\n\n", and whether the last was [DONE].
    private (List<JsonElement> Chunks, bool Done) Events()
    {
        var text = Encoding.UTF8.GetString(((MemoryStream)_http.Response.Body).ToArray());
        text.ShouldEndWith("\n\n");
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events.ShouldAllBe(e => e.StartsWith("data: ", StringComparison.Ordinal));
        var done = events[^1] == "data: [DONE]";
        return ([.. events.Take(done ? events.Length - 1 : events.Length).Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)], done);
    }
}
