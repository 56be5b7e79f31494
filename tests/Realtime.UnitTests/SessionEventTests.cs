using System.Text.Json;
using Realtime.Sessions;

namespace Realtime.UnitTests;

public sealed class SessionEventTests
{
    [Fact]
    public void AnEvent_ParsedFromItsJson_KeepsItsSeqTypeRequestAndText()
    {
        var joined = SessionEvent.Join(SessionEvent.CreateDelta(7, "r9", "a \"quoted\" ", 0), SessionEvent.CreateDelta(8, "r9", "ünïcode", 0));

        var parsed = SessionEvent.Parse(joined.Json, producedAt: 42);

        parsed.Seq.ShouldBe(8);
        parsed.FirstSeq.ShouldBe(7);
        parsed.Type.ShouldBe(SessionEvent.Delta);
        parsed.RequestId.ShouldBe("r9");
        parsed.Text.ShouldBe("a \"quoted\" ünïcode");
        parsed.ProducedAt.ShouldBe(42);
    }

    [Fact]
    public void AnErrorEvent_HasOpenAisShape_AndItsStatus()
    {
        var error = JsonDocument.Parse(SessionEvent.CreateError(3, "r1", 429, "Slow down.", "rate_limit_error", "rate_limit_exceeded", retryAfter: 2).Json).RootElement;

        error.GetProperty("type").GetString().ShouldBe("error");
        error.GetProperty("status").GetInt32().ShouldBe(429);
        error.GetProperty("retry_after").GetDouble().ShouldBe(2);
        error.GetProperty("error").GetProperty("code").GetString().ShouldBe("rate_limit_exceeded");
        error.GetProperty("error").GetProperty("param").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void AnEventWithoutAType_IsNotAnEvent()
    {
        Should.Throw<JsonException>(() => SessionEvent.Parse("""{"seq":1}"""u8.ToArray(), 0));
    }
}
