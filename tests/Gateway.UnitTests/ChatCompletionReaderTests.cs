using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.UnitTests;

public sealed class ChatCompletionReaderTests
{
    [Fact]
    public void Read_MinimalBody_ReadsModelAndMessageWithDefaults()
    {
        var request = Read("""{"model":"mock/mock-1","messages":[{"role":"user","content":"hello"}]}""");

        request.Model.ShouldBe("mock/mock-1");
        request.Stream.ShouldBeFalse();
        request.IncludeUsage.ShouldBeFalse();
        request.Messages.ShouldHaveSingleItem().Role.ShouldBe(ChatRole.User);
        request.Messages[0].Text.ShouldBe("hello");
        request.Fallbacks.ShouldBeEmpty();
        request.Route.ShouldBeNull();
        request.Retrieval.ShouldBeNull();
        request.Options.ShouldBe(new ChatExecutionOptions());
    }

    [Fact]
    public void Read_EverySamplingOption_IsPassedThrough()
    {
        var request = Read("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],
             "temperature":0.7,"top_p":0.9,"frequency_penalty":-1.5,"presence_penalty":2,"max_tokens":100,
             "seed":12345678901,"stop":["END","STOP"],"user":"u-1","parallel_tool_calls":false}
            """);

        request.Options.Temperature.ShouldBe(0.7f);
        request.Options.TopP.ShouldBe(0.9f);
        request.Options.FrequencyPenalty.ShouldBe(-1.5f);
        request.Options.PresencePenalty.ShouldBe(2f);
        request.Options.MaxOutputTokens.ShouldBe(100);
        request.Options.Seed.ShouldBe(12345678901L);
        request.Options.StopSequences.ShouldBe(["END", "STOP"]);
        request.Options.User.ShouldBe("u-1");
        request.Options.ParallelToolCalls.ShouldBe(false);
    }

    [Fact]
    public void Read_MaxCompletionTokensAndMaxTokens_MaxCompletionTokensWins()
    {
        var request = Read("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":50,"max_tokens":500}""");

        request.Options.MaxOutputTokens.ShouldBe(50);
    }

    [Fact]
    public void Read_StopAsString_IsOneStopSequence()
    {
        Read("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stop":"\n\n"}""").Options.StopSequences.ShouldBe(["\n\n"]);
    }

    [Fact]
    public void Read_NullOptionalFields_AreAbsent()
    {
        var request = Read("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":null,"stop":null,"tools":null,"tool_choice":null,
             "response_format":null,"stream_options":null,"route":null,"retrieval":null,"fallbacks":null,"seed":null,"n":null}
            """);

        request.Options.ShouldBe(new ChatExecutionOptions());
        request.Route.ShouldBeNull();
        request.Retrieval.ShouldBeNull();
    }

    [Fact]
    public void Read_UnknownFields_AreIgnored()
    {
        var request = Read("""
            {"model":"m","messages":[{"role":"user","content":"hi","extra":1}],"logprobs":true,"metadata":{"a":"b"},"store":false,"n":1}
            """);

        request.Model.ShouldBe("m");
        request.Messages.ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("""{"stream":true}""", true, false)]
    [InlineData("""{"stream":true,"stream_options":{"include_usage":true}}""", true, true)]
    [InlineData("""{"stream":true,"stream_options":{}}""", true, false)]
    [InlineData("""{"stream":false}""", false, false)]
    public void Read_StreamFlags_AreRead(string flags, bool stream, bool includeUsage)
    {
        var request = Read(WithFields(flags));

        request.Stream.ShouldBe(stream);
        request.IncludeUsage.ShouldBe(includeUsage);
    }

    [Fact]
    public void Read_FunctionTools_AreDeclaredWithTheirSchemaAndChoice()
    {
        var request = Read("""
            {"model":"m","messages":[{"role":"user","content":"weather?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
                      {"type":"function","function":{"name":"no-params"}}],
             "tool_choice":{"type":"function","function":{"name":"get_weather"}}}
            """);

        var tools = request.Options.Tools.ShouldNotBeNull();
        tools.Count.ShouldBe(2);
        tools[0].Name.ShouldBe("get_weather");
        tools[0].Description.ShouldBe("Weather now");
        tools[0].Parameters.GetProperty("properties").GetProperty("city").GetProperty("type").GetString().ShouldBe("string");
        // A function without parameters takes none: an empty object schema, as providers expect one.
        tools[1].Parameters.GetProperty("type").GetString().ShouldBe("object");
        tools[1].Parameters.GetProperty("properties").EnumerateObject().ShouldBeEmpty();
        request.Options.ToolChoice.ShouldBe("get_weather");
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("none")]
    [InlineData("required")]
    public void Read_ToolChoiceKeyword_IsKept(string choice)
    {
        Read(WithFields($$"""{"tool_choice":"{{choice}}"}""")).Options.ToolChoice.ShouldBe(choice);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json_object")]
    public void Read_SimpleResponseFormat_IsKept(string type)
    {
        var options = Read(WithFields("""{"response_format":{"type":""" + $"\"{type}\"" + "}}")).Options;

        options.ResponseFormat.ShouldBe(type);
        options.JsonSchema.ShouldBeNull();
    }

    [Fact]
    public void Read_JsonSchemaResponseFormat_KeepsNameSchemaAndStrictness()
    {
        var options = Read(WithFields("""
            {"response_format":{"type":"json_schema","json_schema":{"name":"answer","description":"d","strict":true,"schema":{"type":"object","required":["x"]}}}}
            """)).Options;

        options.ResponseFormat.ShouldBe("json_schema");
        var schema = options.JsonSchema.ShouldNotBeNull();
        schema.Name.ShouldBe("answer");
        schema.Description.ShouldBe("d");
        schema.Strict.ShouldBe(true);
        schema.Schema.GetProperty("required")[0].GetString().ShouldBe("x");
    }

    [Fact]
    public void Read_FallbacksAndRoute_AreRead()
    {
        var request = Read(WithFields("""{"fallbacks":["a/1","b/2"],"route":{"strategy":"parallel","models":["c/3","d/4"],"hedge":3}}"""));

        request.Fallbacks.ShouldBe(["a/1", "b/2"]);
        var route = request.Route.ShouldNotBeNull();
        route.Strategy.ShouldBe(RouteStrategies.Parallel);
        route.Models.ShouldBe(["c/3", "d/4"]);
        route.Hedge.ShouldBe(3);
    }

    [Fact]
    public void Read_RouteWithoutStrategyOrHedge_IsSingleHedgingTwo()
    {
        var route = Read(WithFields("""{"route":{"models":["c/3"]}}""")).Route.ShouldNotBeNull();

        route.Strategy.ShouldBe(RouteStrategies.Single);
        route.Hedge.ShouldBe(2);
    }

    [Theory]
    [InlineData("true", RetrievalRequest.DefaultTop)]
    [InlineData("{}", RetrievalRequest.DefaultTop)]
    [InlineData("""{"top":null}""", RetrievalRequest.DefaultTop)]
    [InlineData("""{"top":1}""", 1)]
    [InlineData("""{"top":20}""", 20)]
    public void Read_Retrieval_AsksForTheTopChunks(string retrieval, int top)
    {
        Read(WithFields("""{"retrieval":""" + retrieval + "}")).Retrieval.ShouldBe(new RetrievalRequest(top));
    }

    [Fact]
    public void Read_RetrievalFalse_IsNoRetrieval()
    {
        Read(WithFields("""{"retrieval":false}""")).Retrieval.ShouldBeNull();
    }

    internal static ChatCompletionRequest Read(string json) => ChatCompletionReader.Read(JsonSerializer.Deserialize<JsonElement>(json));

    // A valid request with the given fields added.
    internal static string WithFields(string fields) =>
        """{"model":"m","messages":[{"role":"user","content":"hi"}],""" + fields.Trim()[1..];
}
