using System.Text.Json;
using Realtime.Sessions;

namespace Realtime.UnitTests;

public sealed class StartRequestTests
{
    [Fact]
    public void AStart_BecomesAStreamedChatCompletionsBody_WithItsOptions()
    {
        var (request, problem) = StartRequest.Parse(Json("""
            {"type":"start","request_id":"r1","model":"mock-1","messages":[{"role":"user","content":"hi"}],
             "options":{"temperature":0.2,"stream":false,"model":"other"},"cache":"no-store"}
            """));

        problem.ShouldBeNull();
        request!.RequestId.ShouldBe("r1");
        request.CacheControl.ShouldBe("no-store");
        var body = JsonDocument.Parse(request.Body).RootElement;
        body.GetProperty("model").GetString().ShouldBe("mock-1");
        body.GetProperty("temperature").GetDouble().ShouldBe(0.2);
        body.GetProperty("stream").GetBoolean().ShouldBeTrue();
        body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().ShouldBeTrue();
        body.GetProperty("messages")[0].GetProperty("content").GetString().ShouldBe("hi");
    }

    [Fact]
    public void AnAgent_IsAddressedAsItsModel_AndARequestIdIsMadeWhenNoneIsGiven()
    {
        var (request, _) = StartRequest.Parse(Json("""{"agent":"research","messages":[{"role":"user","content":"find"}]}"""));

        JsonDocument.Parse(request!.Body).RootElement.GetProperty("model").GetString().ShouldBe("agent/research");
        request.RequestId.ShouldStartWith("req_");
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"m","agent":"a","messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("""{"model":"m"}""")]
    [InlineData("""{"model":"m","messages":[]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"options":[1]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"request_id":7}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"cache":"sometimes"}""")]
    public void AStartThatIsNotOne_SaysWhy(string start)
    {
        var (request, problem) = StartRequest.Parse(Json(start));

        request.ShouldBeNull();
        problem.ShouldNotBeNullOrEmpty();
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
