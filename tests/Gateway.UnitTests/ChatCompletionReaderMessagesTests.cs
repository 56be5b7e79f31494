using Microsoft.Extensions.AI;
using static Gateway.UnitTests.ChatCompletionReaderTests;

namespace Gateway.UnitTests;

public sealed class ChatCompletionReaderMessagesTests
{
    [Theory]
    [InlineData("system")]
    [InlineData("developer")]
    public void Read_SystemOrDeveloperRole_IsSystem(string role)
    {
        Messages($$"""[{"role":"{{role}}","content":"be brief"}]""").ShouldHaveSingleItem().Role.ShouldBe(ChatRole.System);
    }

    [Fact]
    public void Read_NamedMessage_KeepsTheAuthor()
    {
        Messages("""[{"role":"user","name":"ada","content":"hi"}]""")[0].AuthorName.ShouldBe("ada");
    }

    [Fact]
    public void Read_ContentParts_AreTextAndImages()
    {
        var message = Messages("""
            [{"role":"user","content":[
              {"type":"text","text":"what is this?"},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]
            """).ShouldHaveSingleItem();

        message.Contents.Count.ShouldBe(3);
        message.Contents[0].ShouldBeOfType<TextContent>().Text.ShouldBe("what is this?");
        message.Contents[1].ShouldBeOfType<UriContent>().Uri.ShouldBe(new Uri("https://example.com/cat.png"));
        var data = message.Contents[2].ShouldBeOfType<DataContent>();
        data.MediaType.ShouldBe("image/png");
        data.Data.Length.ShouldBe(8);
    }

    [Fact]
    public void Read_AssistantToolCallsAndToolResult_BecomeFunctionCallAndResult()
    {
        var messages = Messages("""
            [{"role":"user","content":"weather in Oslo?"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\",\"days\":2}"}},
                                                               {"id":"call_2","type":"function","function":{"name":"now"}}]},
             {"role":"tool","tool_call_id":"call_1","content":[{"type":"text","text":"sunny, "},{"type":"text","text":"12 C"}]}]
            """);

        var calls = messages[1].Contents.OfType<FunctionCallContent>().ToList();
        calls.Count.ShouldBe(2);
        calls[0].CallId.ShouldBe("call_1");
        calls[0].Name.ShouldBe("get_weather");
        calls[0].Arguments.ShouldNotBeNull()["city"]!.ToString().ShouldBe("Oslo");
        // No arguments are none, not an error.
        calls[1].Arguments.ShouldNotBeNull().ShouldBeEmpty();
        var result = messages[2].Contents.ShouldHaveSingleItem().ShouldBeOfType<FunctionResultContent>();
        messages[2].Role.ShouldBe(ChatRole.Tool);
        result.CallId.ShouldBe("call_1");
        result.Result.ShouldBe("sunny, 12 C");
    }

    [Fact]
    public void Read_AssistantWithoutContent_IsAllowed()
    {
        Messages("""[{"role":"user","content":"hi"},{"role":"assistant"}]""")[1].Contents.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"model":"m"}""", "messages")]
    [InlineData("""{"model":"m","messages":[]}""", "messages")]
    [InlineData("""{"model":"m","messages":{"role":"user"}}""", "messages")]
    [InlineData("""{"model":"m","messages":["hi"]}""", "messages[0]")]
    [InlineData("""{"model":"m","messages":[{"content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"robot","content":"hi"}]}""", "messages[1].role")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}]}""", "messages[0].content")]
    [InlineData("""{"model":"m","messages":[{"role":"system","content":null}]}""", "messages[0].content")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":42}]}""", "messages[0].content")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"text":"hi"}]}]}""", "messages[0].content[0].type")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"audio"}]}]}""", "messages[0].content[1].type")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}""", "messages[0].content[0].text")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}""", "messages[0].content[0].image_url")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"images/cat.png"}}]}]}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,%%%"}}]}]}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"/etc/passwd"}}]}]}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"file:///etc/passwd"}}]}]}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"model":"m","messages":[{"role":"user","name":7,"content":"hi"}]}""", "messages[0].name")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"12 C"}]}""", "messages[0].tool_call_id")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","tool_call_id":"c"}]}""", "messages[0].content")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":{}}]}""", "messages[0].tool_calls")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f"}}]}]}""", "messages[0].tool_calls[0].id")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c"}]}]}""", "messages[0].tool_calls[0].function")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{}}]}]}""", "messages[0].tool_calls[0].function.name")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{oops"}}]}]}""", "messages[0].tool_calls[0].function.arguments")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":{"a":1}}}]}]}""", "messages[0].tool_calls[0].function.arguments")]
    public void Read_MalformedMessages_NameTheParameterAtFault(string json, string param)
    {
        Should.Throw<InvalidRequestException>(() => Read(json)).Param.ShouldBe(param);
    }

    private static IList<ChatMessage> Messages(string messages) => Read($$"""{"model":"m","messages":{{messages}}}""").Messages;
}
