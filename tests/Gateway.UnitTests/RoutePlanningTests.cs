using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using static Gateway.UnitTests.ChatCompletionReaderTests;
using static Gateway.UnitTests.TestData;

namespace Gateway.UnitTests;

public sealed class RoutePlanningTests
{
    private readonly ModelCatalog _catalog = Catalog(("openai", ChatModel("gpt-4o")), ("openai", ChatModel("gpt-4o-mini")), ("groq", ChatModel("llama-3")), ("openai", Embedding("embed")));

    [Theory]
    [InlineData("""{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", true)]
    [InlineData("""{"model":"auto","messages":[{"role":"user","content":"hi"}],"route":{"models":["gpt-4o"]}}""", false)]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", false)]
    public void IsAuto_OnlyAutoWithoutRoute_IsAuto(string json, bool auto)
    {
        RoutePlanning.IsAuto(Read(json)).ShouldBe(auto);
    }

    [Fact]
    public void Plan_ModelAndFallbacks_IsSingleInOrderWithoutRepeats()
    {
        var request = Read(WithFields("""{"model":"gpt-4o","fallbacks":["groq/llama-3","openai/gpt-4o","gpt-4o-mini"]}"""));

        var (plan, models, error) = RoutePlanning.Plan(_catalog, Key(), request);

        error.ShouldBeNull();
        plan.ShouldNotBeNull().Strategy.ShouldBe(RouteStrategies.Single);
        plan.Candidates.ShouldBe([new("openai", "gpt-4o"), new("groq", "llama-3"), new("openai", "gpt-4o-mini")]);
        models.Select(m => m.QualifiedId).ShouldBe(["openai/gpt-4o", "groq/llama-3", "openai/gpt-4o-mini"]);
    }

    [Fact]
    public void Plan_RouteExtension_UsesItsStrategyModelsAndHedge_NotTheModelField()
    {
        var request = Read("""{"model":"auto","messages":[{"role":"user","content":"hi"}],"route":{"strategy":"parallel","models":["gpt-4o-mini","llama-3"],"hedge":2}}""");

        var (plan, _, _) = RoutePlanning.Plan(_catalog, Key(), request);

        plan.ShouldNotBeNull().Strategy.ShouldBe(RouteStrategies.Parallel);
        plan.Hedge.ShouldBe(2);
        plan.Candidates.ShouldBe([new("openai", "gpt-4o-mini"), new("groq", "llama-3")]);
    }

    [Fact]
    public void Plan_UnknownFallback_NamesItsPosition()
    {
        var request = Read(WithFields("""{"model":"gpt-4o","fallbacks":["llama-3","nope"]}"""));

        var (plan, _, error) = RoutePlanning.Plan(_catalog, Key(), request);

        plan.ShouldBeNull();
        error.ShouldBeOpenAiError(StatusCodes.Status404NotFound).Param.ShouldBe("fallbacks[1]");
    }

    [Fact]
    public void Plan_RouteModelTheKeyMayNotUse_IsRefusedWithItsPosition()
    {
        var request = Read(WithFields("""{"route":{"models":["gpt-4o","llama-3"]}}"""));

        var (_, _, error) = RoutePlanning.Plan(_catalog, Key(allowedModels: ["gpt-4o"]), request);

        var openAi = error.ShouldBeOpenAiError(StatusCodes.Status403Forbidden);
        openAi.Code.ShouldBe("model_not_allowed");
        openAi.Param.ShouldBe("route.models[1]");
    }

    [Fact]
    public void Plan_EmbeddingModel_IsNotAChatRoute()
    {
        var (_, _, error) = RoutePlanning.Plan(_catalog, Key(), Read(WithFields("""{"model":"embed"}""")));

        error.ShouldBeOpenAiError(StatusCodes.Status400BadRequest).Code.ShouldBe("model_not_supported");
    }

    [Fact]
    public void DescribeForRouter_TellsTheLastQuestionSizeAndNeeds()
    {
        var request = Read("""
            {"model":"auto","max_tokens":64,"response_format":{"type":"json_schema","json_schema":{"name":"a","strict":true,"schema":{"type":"object"}}},
             "tools":[{"type":"function","function":{"name":"f"}}],
             "messages":[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},
                         {"role":"user","content":[{"type":"text","text":"what is in this picture?"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},
                         {"role":"system","content":"be brief"}]}
            """);

        var described = RoutePlanning.DescribeForRouter(Key(allowedModels: ["gpt-4o"]), request, inputTokens: 1_000);

        described.Text.ShouldBe("what is in this picture?");
        described.InputTokens.ShouldBe(1_000);
        described.MaxOutputTokens.ShouldBe(64);
        described.Tools.ShouldBeTrue();
        described.ResponseFormat.ShouldBe("json_schema");
        described.StrictSchema.ShouldBeTrue();
        described.Vision.ShouldBeTrue();
        described.AllowedModels.ShouldBe(["gpt-4o"]);
    }

    [Fact]
    public void DescribeForRouter_PlainTextRequest_AsksForNothingSpecial()
    {
        var request = new ChatCompletionRequest("auto", false, false, [new ChatMessage(ChatRole.System, "sys")], new ChatExecutionOptions(), [], null);

        var described = RoutePlanning.DescribeForRouter(Key(), request, inputTokens: long.MaxValue);

        described.Text.ShouldBe("");
        described.InputTokens.ShouldBe(int.MaxValue);
        described.Tools.ShouldBeFalse();
        described.Vision.ShouldBeFalse();
        described.StrictSchema.ShouldBeFalse();
    }
}
