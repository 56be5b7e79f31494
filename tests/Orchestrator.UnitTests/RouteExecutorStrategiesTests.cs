using System.Net;

namespace Orchestrator.UnitTests;

public sealed class RouteExecutorStrategiesTests : RouteExecutorFixture
{
    [Fact]
    public async Task ExecuteAsync_Parallel_TheFirstGoodAnswerWins_AndTheOtherIsCancelled()
    {
        var slow = Provider("a/one", FakeChatClient.Hanging());
        Provider("b/two", FakeChatClient.Answering("Oslo", delay: TimeSpan.FromMilliseconds(20)));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Parallel, "a/one", "b/two"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("b", "two"));
        Outcomes(result.Attempts).ShouldBe([("b/two", AttemptOutcomes.Succeeded), ("a/one", AttemptOutcomes.Cancelled)]);
        slow.Cancelled.ShouldBeTrue();
    }

    [Fact]
    public async Task ExecuteAsync_Parallel_APoorFirstAnswer_IsRejected_AndTheOtherAwaited()
    {
        Provider("a/one", FakeChatClient.Answering(""));
        Provider("b/two", FakeChatClient.Answering("Oslo", delay: TimeSpan.FromMilliseconds(500)));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Parallel, "a/one", "b/two"), Cancellation);

        result.Response.ShouldNotBeNull().Text.ShouldBe("Oslo");
        Outcomes(result.Attempts).ShouldBe([("a/one", AttemptOutcomes.Rejected), ("b/two", AttemptOutcomes.Succeeded)]);
    }

    [Fact]
    public async Task ExecuteAsync_Parallel_OnlyTheHedgedAreRaced_TheRestAreFallbacks()
    {
        Provider("a/one", FakeChatClient.Failing(new HttpRequestException("down")));
        Provider("b/two", FakeChatClient.Failing(new HttpRequestException("down")));
        var third = Provider("c/three", FakeChatClient.Answering("Oslo"));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Parallel, "a/one", "b/two", "c/three"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("c", "three"));
        result.Attempts.Count.ShouldBe(3);
        result.Attempts[2].ShouldBe(result.Attempts[2] with { Model = "c/three", Outcome = AttemptOutcomes.Succeeded });
        third.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task ExecuteAsync_Cascade_AGoodCheapAnswer_IsKept()
    {
        Provider("cheap/small", FakeChatClient.Answering("Oslo"));
        var dear = Provider("dear/large", FakeChatClient.Answering("Oslo, of course"));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Cascade, "cheap/small", "dear/large"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("cheap", "small"));
        dear.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task ExecuteAsync_Cascade_AnAnswerFailingItsCheck_EscalatesAndSaysWhy()
    {
        Provider("cheap/small", FakeChatClient.Answering("I'm sorry, but I can't help with that."));
        Provider("dear/large", FakeChatClient.Answering("Oslo"));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Cascade, "cheap/small", "dear/large"), Cancellation);

        result.Response!.Text.ShouldBe("Oslo");
        result.Attempts[0].Outcome.ShouldBe(AttemptOutcomes.Rejected);
        result.Attempts[0].Error.ShouldBe("refusal");
        result.Attempts[1].Outcome.ShouldBe(AttemptOutcomes.Succeeded);
    }

    [Fact]
    public async Task ExecuteAsync_Cascade_TheLastAnswer_IsReturnedEvenIfPoor()
    {
        Provider("cheap/small", FakeChatClient.Answering("As an AI, I cannot."));
        Provider("dear/large", FakeChatClient.Answering("As an AI, I will not."));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Cascade, "cheap/small", "dear/large"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("dear", "large"));
        Outcomes(result.Attempts).ShouldBe([("cheap/small", AttemptOutcomes.Rejected), ("dear/large", AttemptOutcomes.Succeeded)]);
    }

    [Fact]
    public async Task ExecuteAsync_Cascade_AFailureMovesOn_AndAllFailingReturnsTheFirstError()
    {
        Provider("cheap/small", FakeChatClient.Failing(new HttpRequestException("busy", null, HttpStatusCode.TooManyRequests)));
        Provider("dear/large", FakeChatClient.Failing(new HttpRequestException("down")));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Cascade, "cheap/small", "dear/large"), Cancellation);

        result.Response.ShouldBeNull();
        result.Error.ShouldNotBeNull().Code.ShouldBe("provider_rate_limited");
        Outcomes(result.Attempts).ShouldBe([("cheap/small", AttemptOutcomes.Failed), ("dear/large", AttemptOutcomes.Failed)]);
    }

    [Fact]
    public async Task ExecuteAsync_Cascade_JsonAskedFor_EscalatesFromProse()
    {
        Provider("cheap/small", FakeChatClient.Answering("The capital is Oslo."));
        Provider("dear/large", FakeChatClient.Answering("""{"capital":"Oslo"}"""));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Cascade, new ChatExecutionOptions { ResponseFormat = "json_object" }, "cheap/small", "dear/large"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("dear", "large"));
        result.Attempts[0].Error.ShouldBe("not the JSON asked for");
    }
}
