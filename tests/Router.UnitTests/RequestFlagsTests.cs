using Router.Services;

namespace Router.UnitTests;

public sealed class RequestFlagsTests
{
    [Theory]
    [InlineData("```\nvar x = 1;\n```", true)]
    [InlineData("Why does my Python script throw this exception?", true)]
    [InlineData("write a SELECT over the orders table", true)]
    [InlineData("add unit tests for this", true)]
    [InlineData("what a lovely apiary", false)]
    [InlineData("tell me about the french revolution", false)]
    public void Code_CodeBlocksAndProgrammingWords_AreCode(string text, bool code)
    {
        RequestFlags.Code(text).ShouldBe(code);
    }

    [Theory]
    [InlineData("what is 12 * 7", true)]
    [InlineData("3+4=?", true)]
    [InlineData("Solve for x", true)]
    [InlineData("the probability of rain", true)]
    [InlineData("a summary of the meeting", false)]
    [InlineData("chapter 3 of the book", false)]
    public void Math_ArithmeticOrMathWords_AreMath(string text, bool math)
    {
        RequestFlags.Math(text).ShouldBe(math);
    }

    [Theory]
    [InlineData("Is this CONTRACT clause enforceable?", "legal")]
    [InlineData("the usual dosage for a child", "medical")]
    [InlineData("EBITDA for last quarter", "finance")]
    [InlineData("the patient's invoice", "medical")]
    [InlineData("plan a trip to Rome", null)]
    public void Domain_FirstDomainWithAWordInTheText_Wins(string text, string? domain)
    {
        RequestFlags.Domain(text).ShouldBe(domain);
    }

    [Fact]
    public void Cues_CodeAndMathFirst_ThenIntentCuesInTheirOrder()
    {
        RequestFlags.Cues("translate this python snippet, then summarize it: 2 + 2").ShouldBe(["code", "math", "translate", "summarize"]);
    }

    [Theory]
    [InlineData("Translate this into German", "translate")]
    [InlineData("tl;dr please", "summarize")]
    [InlineData("extract every email from the text", "extract")]
    [InlineData("write a haiku about rain", "creative")]
    [InlineData("what are the trade-offs of microservices", "reasoning")]
    [InlineData("hello there!", "chitchat")]
    public void Cues_ACueWord_GivesItsIntent(string text, string intent)
    {
        RequestFlags.Cues(text).ShouldBe([intent]);
    }

    [Fact]
    public void Cues_GreetingNotAtTheStart_IsNoChitchat()
    {
        RequestFlags.Cues("the word hello in Dutch").ShouldNotContain("chitchat");
    }

    [Fact]
    public void Cues_CueInsideAnotherWord_DoesNotCount()
    {
        RequestFlags.Cues("the gistmaster novelist's stories").ShouldBe(["creative"]);
    }
}
