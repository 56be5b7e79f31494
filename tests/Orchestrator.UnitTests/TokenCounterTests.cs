using Microsoft.Extensions.AI;
using Orchestrator.Services;

namespace Orchestrator.UnitTests;

public sealed class TokenCounterTests
{
    private static readonly TokenCounter Counter = new();

    [Theory]
    [InlineData("", 0)]
    [InlineData("hello", 1)]
    [InlineData("hello world", 2)]
    public void Count_Text_IsItsO200kTokens(string text, int tokens)
    {
        Counter.Count(text).ShouldBe(tokens);
    }

    [Fact]
    public void Count_NoMessages_IsTheReplysFraming()
    {
        Counter.Count([]).ShouldBe(3);
    }

    [Fact]
    public void Count_OneShortMessage_IsWhatOpenAiReportsForIt()
    {
        // OpenAI reports 8 prompt tokens for [{"role":"user","content":"hi"}] on gpt-4o: 3 per message, role, text, 3 for the reply.
        Counter.Count([new ChatMessage(ChatRole.User, "hi")]).ShouldBe(8);
    }

    [Fact]
    public void Count_EachMessage_AddsItsFramingRoleAndText()
    {
        var one = Counter.Count([new ChatMessage(ChatRole.User, "hello world")]);
        var two = Counter.Count([new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "hello world")]);

        two.ShouldBe(one + 3 + Counter.Count("system") + Counter.Count("be brief"));
    }

    [Fact]
    public void Count_ToolCallsAndResults_CountTheirNamesArgumentsAndResults()
    {
        var plain = Counter.Count([new ChatMessage(ChatRole.Assistant, "")]);
        var call = Counter.Count([new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })])]);
        var result = Counter.Count([new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "sunny and 12 degrees")])]);

        call.ShouldBe(plain + Counter.Count("get_weather") + Counter.Count("""{"city":"Oslo"}"""));
        result.ShouldBe(Counter.Count([new ChatMessage(ChatRole.Tool, "")]) + Counter.Count("sunny and 12 degrees"));
    }

    [Fact]
    public void Usage_CountsInputAndOutput_AndTheirTotal()
    {
        ChatMessage[] messages = [new(ChatRole.User, "What is the capital of Norway?")];

        var usage = Counter.Usage(messages, "Oslo is the capital of Norway.");

        usage.InputTokenCount.ShouldBe(Counter.Count(messages));
        usage.OutputTokenCount.ShouldBe(Counter.Count("Oslo is the capital of Norway."));
        usage.TotalTokenCount.ShouldBe(usage.InputTokenCount + usage.OutputTokenCount);
    }
}
