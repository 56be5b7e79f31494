using static Gateway.UnitTests.ChatCompletionReaderTests;

namespace Gateway.UnitTests;

public sealed class ChatCompletionReaderValidationTests
{
    [Theory]
    [InlineData("[]", "")]
    [InlineData("\"hello\"", "")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    public void Read_NoObjectOrNoModel_IsRefused(string json, string param)
    {
        Should.Throw<InvalidRequestException>(() => Read(json)).Param.ShouldBe(param);
    }

    [Theory]
    [InlineData("""{"stream":"yes"}""", "stream")]
    [InlineData("""{"stream_options":{"include_usage":true}}""", "stream_options")]
    [InlineData("""{"stream":false,"stream_options":{"include_usage":true}}""", "stream_options")]
    [InlineData("""{"stream":true,"stream_options":{"include_usage":"yes"}}""", "stream_options.include_usage")]
    [InlineData("""{"stream":true,"stream_options":true}""", "stream_options")]
    [InlineData("""{"n":2}""", "n")]
    [InlineData("""{"n":"1"}""", "n")]
    [InlineData("""{"temperature":2.01}""", "temperature")]
    [InlineData("""{"temperature":-0.1}""", "temperature")]
    [InlineData("""{"temperature":"hot"}""", "temperature")]
    [InlineData("""{"top_p":1.5}""", "top_p")]
    [InlineData("""{"frequency_penalty":-2.5}""", "frequency_penalty")]
    [InlineData("""{"presence_penalty":3}""", "presence_penalty")]
    [InlineData("""{"max_tokens":0}""", "max_tokens")]
    [InlineData("""{"max_tokens":1.5}""", "max_tokens")]
    [InlineData("""{"max_completion_tokens":-1}""", "max_completion_tokens")]
    [InlineData("""{"seed":1.5}""", "seed")]
    [InlineData("""{"seed":"42"}""", "seed")]
    [InlineData("""{"stop":["a","b","c","d","e"]}""", "stop")]
    [InlineData("""{"stop":[1]}""", "stop")]
    [InlineData("""{"stop":7}""", "stop")]
    [InlineData("""{"user":7}""", "user")]
    [InlineData("""{"parallel_tool_calls":"no"}""", "parallel_tool_calls")]
    public void Read_BadOption_NamesIt(string fields, string param)
    {
        Should.Throw<InvalidRequestException>(() => Read(WithFields(fields))).Param.ShouldBe(param);
    }

    [Theory]
    [InlineData("""{"tools":{}}""", "tools")]
    [InlineData("""{"tools":[{"type":"retrieval"}]}""", "tools[0].type")]
    [InlineData("""{"tools":[{"type":"function"}]}""", "tools[0].type")]
    [InlineData("""{"tools":[{"type":"function","function":{}}]}""", "tools[0].function.name")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"get weather"}}]}""", "tools[0].function.name")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"g","parameters":"none"}}]}""", "tools[1].function.parameters")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f","description":1}}]}""", "tools[0].function.description")]
    [InlineData("""{"tool_choice":"always"}""", "tool_choice")]
    [InlineData("""{"tool_choice":{"type":"function"}}""", "tool_choice")]
    [InlineData("""{"tool_choice":{"type":"function","function":{}}}""", "tool_choice.function.name")]
    [InlineData("""{"tool_choice":3}""", "tool_choice")]
    public void Read_BadTools_NameTheParameterAtFault(string fields, string param)
    {
        Should.Throw<InvalidRequestException>(() => Read(WithFields(fields))).Param.ShouldBe(param);
    }

    [Fact]
    public void Read_FunctionNameOf65Characters_IsRefused()
    {
        var name = new string('f', 65);

        Should.Throw<InvalidRequestException>(() => Read(WithFields(Tool(name))))
            .Param.ShouldBe("tools[0].function.name");
        Read(WithFields(Tool(name[1..]))).Options.Tools.ShouldNotBeNull().ShouldHaveSingleItem();
    }

    private static string Tool(string name) => """{"tools":[{"type":"function","function":{"name":""" + $"\"{name}\"" + "}}]}";

    [Theory]
    [InlineData("""{"response_format":{}}""", "response_format.type")]
    [InlineData("""{"response_format":"json"}""", "response_format.type")]
    [InlineData("""{"response_format":{"type":"xml"}}""", "response_format.type")]
    [InlineData("""{"response_format":{"type":"json_schema"}}""", "response_format.type")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}""", "response_format.json_schema.name")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"a"}}}""", "response_format.json_schema.schema")]
    [InlineData("""{"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{},"strict":"yes"}}}""", "response_format.json_schema.strict")]
    public void Read_BadResponseFormat_NamesIt(string fields, string param)
    {
        Should.Throw<InvalidRequestException>(() => Read(WithFields(fields))).Param.ShouldBe(param);
    }

    [Theory]
    [InlineData("""{"fallbacks":"a/1"}""", "fallbacks")]
    [InlineData("""{"fallbacks":["a/1",""]}""", "fallbacks")]
    [InlineData("""{"fallbacks":["1","2","3","4","5","6","7","8","9"]}""", "fallbacks")]
    [InlineData("""{"route":"cascade"}""", "route")]
    [InlineData("""{"route":{"strategy":"fastest","models":["a/1"]}}""", "route.strategy")]
    [InlineData("""{"route":{"strategy":"single"}}""", "route.models")]
    [InlineData("""{"route":{"models":[]}}""", "route.models")]
    [InlineData("""{"route":{"models":[1]}}""", "route.models")]
    [InlineData("""{"route":{"models":["a/1"],"hedge":0}}""", "route.hedge")]
    [InlineData("""{"route":{"models":["a/1"],"hedge":9}}""", "route.hedge")]
    [InlineData("""{"route":{"models":["a/1"],"hedge":"2"}}""", "route.hedge")]
    [InlineData("""{"retrieval":"yes"}""", "retrieval")]
    [InlineData("""{"retrieval":{"top":0}}""", "retrieval.top")]
    [InlineData("""{"retrieval":{"top":21}}""", "retrieval.top")]
    [InlineData("""{"retrieval":{"top":"4"}}""", "retrieval.top")]
    public void Read_BadExtension_NamesIt(string fields, string param)
    {
        Should.Throw<InvalidRequestException>(() => Read(WithFields(fields))).Param.ShouldBe(param);
    }
}
