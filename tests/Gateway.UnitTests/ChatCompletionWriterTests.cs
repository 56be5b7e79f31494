using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

public sealed class ChatCompletionWriterTests
{
    private static readonly CatalogModel Model = Catalog(("openai", new ProviderModelOptions { Id = "gpt-4o", InputPricePerMillion = 2.5m, OutputPricePerMillion = 10m })).Find("openai/gpt-4o").Model!;

    [Fact]
    public void WriteCompletion_TextAnswer_IsAChatCompletionWithUsageAndCost()
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello!"))
        {
            ResponseId = "chatcmpl-1",
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 500, TotalTokenCount = 1_500 },
        };

        var json = Write(response, new UsageRecord { Model = Model });

        json.GetProperty("id").GetString().ShouldBe("chatcmpl-1");
        json.GetProperty("object").GetString().ShouldBe("chat.completion");
        json.GetProperty("created").GetInt64().ShouldBe(1_700_000_000);
        json.GetProperty("model").GetString().ShouldBe("openai/gpt-4o");
        var choice = json.GetProperty("choices").EnumerateArray().ShouldHaveSingleItem();
        choice.GetProperty("index").GetInt32().ShouldBe(0);
        choice.GetProperty("message").GetProperty("role").GetString().ShouldBe("assistant");
        choice.GetProperty("message").GetProperty("content").GetString().ShouldBe("Hello!");
        choice.GetProperty("message").TryGetProperty("tool_calls", out _).ShouldBeFalse();
        choice.GetProperty("finish_reason").GetString().ShouldBe("stop");
        var usage = json.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt64().ShouldBe(1_000);
        usage.GetProperty("completion_tokens").GetInt64().ShouldBe(500);
        usage.GetProperty("total_tokens").GetInt64().ShouldBe(1_500);
        // 1,000 × $2.50/M + 500 × $10/M.
        usage.GetProperty("cost").GetDecimal().ShouldBe(0.0075m);
        json.TryGetProperty("citations", out _).ShouldBeFalse();
    }

    [Fact]
    public void WriteCompletion_CacheHit_CostsNothing_AndTotalIsSummedWhenMissing()
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "cached")) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } };

        var usage = Write(response, new UsageRecord { Model = Model, Cache = CacheStatus.Hit }).GetProperty("usage");

        usage.GetProperty("total_tokens").GetInt64().ShouldBe(15);
        usage.GetProperty("cost").GetDecimal().ShouldBe(0m);
    }

    [Fact]
    public void WriteCompletion_WithoutUsage_LeavesUsageOut_AndMakesAnId()
    {
        var json = Write(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi")), new UsageRecord());

        json.TryGetProperty("usage", out _).ShouldBeFalse();
        json.GetProperty("id").GetString().ShouldStartWith("chatcmpl-");
    }

    [Fact]
    public void WriteCompletion_ToolCalls_HaveNullContentAndJsonArguments()
    {
        var call = new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" });
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, [call]));

        var message = Write(response, new UsageRecord()).GetProperty("choices")[0];

        message.GetProperty("finish_reason").GetString().ShouldBe("tool_calls");
        message.GetProperty("message").GetProperty("content").ValueKind.ShouldBe(JsonValueKind.Null);
        var written = message.GetProperty("message").GetProperty("tool_calls").EnumerateArray().ShouldHaveSingleItem();
        written.GetProperty("id").GetString().ShouldBe("call_1");
        written.GetProperty("type").GetString().ShouldBe("function");
        written.TryGetProperty("index", out _).ShouldBeFalse();
        written.GetProperty("function").GetProperty("name").GetString().ShouldBe("get_weather");
        JsonDocument.Parse(written.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString().ShouldBe("Oslo");
    }

    [Fact]
    public void WriteCompletion_NoAssistantMessage_IsEmptyContent()
    {
        var json = Write(new ChatResponse([new ChatMessage(ChatRole.Tool, "x")]), new UsageRecord());

        json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().ShouldBe("");
    }

    [Theory]
    [InlineData("length", "length")]
    [InlineData("content_filter", "content_filter")]
    [InlineData("tool_calls", "tool_calls")]
    [InlineData("stop", "stop")]
    [InlineData("something_new", "stop")]
    public void WriteCompletion_FinishReason_IsOpenAisName(string reason, string written)
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")) { FinishReason = new ChatFinishReason(reason) };

        Write(response, new UsageRecord()).GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe(written);
    }

    [Fact]
    public void WriteCompletion_Citations_AreNumberedFromOne()
    {
        var documentId = Guid.NewGuid();
        Citation[] citations = [new(documentId, "manual.pdf", 3, "Valves", "Close the valve.", 0.91f), new(documentId, "manual.pdf", 7, null, "Open it.", 0.5f)];

        var written = Write(new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")), new UsageRecord(), citations).GetProperty("citations");

        written.GetArrayLength().ShouldBe(2);
        written[0].GetProperty("index").GetInt32().ShouldBe(1);
        written[0].GetProperty("document_name").GetString().ShouldBe("manual.pdf");
        written[0].GetProperty("chunk_index").GetInt32().ShouldBe(3);
        written[0].GetProperty("text").GetString().ShouldBe("Close the valve.");
        written[1].GetProperty("index").GetInt32().ShouldBe(2);
        written[1].GetProperty("heading").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    private static JsonElement Write(ChatResponse response, UsageRecord record, IReadOnlyList<Citation>? citations = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            ChatCompletionWriter.WriteCompletion(json, response, "openai/gpt-4o", record, citations);
        }
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement;
    }
}
