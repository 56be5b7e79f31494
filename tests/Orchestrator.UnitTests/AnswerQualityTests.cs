using Microsoft.Extensions.AI;
using Orchestrator.Services;

namespace Orchestrator.UnitTests;

public sealed class AnswerQualityTests
{
    [Fact]
    public void Problem_PlainAnswer_IsNone()
    {
        AnswerQuality.Problem(Answer("Oslo is the capital of Norway."), new ChatExecutionOptions()).ShouldBeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    public void Problem_NothingSaid_IsAnEmptyAnswer(string text)
    {
        AnswerQuality.Problem(Answer(text), new ChatExecutionOptions()).ShouldBe("empty answer");
    }

    [Fact]
    public void Problem_OnlyAToolCall_IsAnAnswer()
    {
        AnswerQuality.Problem(ToolCall(), new ChatExecutionOptions { ToolChoice = "required" }).ShouldBeNull();
    }

    [Fact]
    public void Problem_CutOffWithoutAskingForALimit_IsCutOff()
    {
        var response = Answer("Oslo is the capital of", ChatFinishReason.Length);

        AnswerQuality.Problem(response, new ChatExecutionOptions()).ShouldBe("cut off");
        AnswerQuality.Problem(response, new ChatExecutionOptions { MaxOutputTokens = 5 }).ShouldBeNull();
    }

    [Theory]
    [InlineData("required", "required tool not called")]
    [InlineData("get_weather", "required tool not called")]
    [InlineData("auto", null)]
    [InlineData("none", null)]
    public void Problem_RequiredToolNotCalled_IsAProblem(string toolChoice, string? problem)
    {
        AnswerQuality.Problem(Answer("It is sunny."), new ChatExecutionOptions { ToolChoice = toolChoice }).ShouldBe(problem);
    }

    [Theory]
    [InlineData("""{"capital":"Oslo"}""", null)]
    [InlineData(""" {"capital":"Oslo"} """, null)]
    [InlineData("""["Oslo"]""", "not the JSON asked for")]
    [InlineData("""Sure! {"capital":"Oslo"}""", "not the JSON asked for")]
    [InlineData("""{"capital":""", "not the JSON asked for")]
    public void Problem_JsonAskedFor_MustBeAJsonObject(string text, string? problem)
    {
        AnswerQuality.Problem(Answer(text), new ChatExecutionOptions { ResponseFormat = "json_object" }).ShouldBe(problem);
        AnswerQuality.Problem(Answer(text), new ChatExecutionOptions { ResponseFormat = "json_schema" }).ShouldBe(problem);
    }

    [Fact]
    public void Problem_ToolCallWhenJsonAskedFor_IsAnAnswer()
    {
        AnswerQuality.Problem(ToolCall(), new ChatExecutionOptions { ResponseFormat = "json_object" }).ShouldBeNull();
    }

    [Theory]
    [InlineData("I'm sorry, but I can't do that.")]
    [InlineData("i cannot help with this request")]
    [InlineData("As an AI language model, I have no opinions.")]
    [InlineData("  I'm unable to browse the web.")]
    public void Problem_Refusal_IsARefusal(string text)
    {
        AnswerQuality.Problem(Answer(text), new ChatExecutionOptions()).ShouldBe("refusal");
    }

    [Fact]
    public void Problem_RefusalWordsLaterInTheAnswer_AreNoRefusal()
    {
        AnswerQuality.Problem(Answer("Here is the plan. I cannot help noticing it is long."), new ChatExecutionOptions()).ShouldBeNull();
    }

    private static ChatResponse Answer(string text, ChatFinishReason? reason = null) =>
        new(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = reason ?? ChatFinishReason.Stop };

    private static ChatResponse ToolCall() =>
        new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })]));
}
