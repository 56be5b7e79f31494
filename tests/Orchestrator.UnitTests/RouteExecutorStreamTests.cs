using System.Net;
using System.Text;
using Orchestrator.Services;

namespace Orchestrator.UnitTests;

public sealed class RouteExecutorStreamTests : RouteExecutorFixture
{
    [Fact]
    public async Task StreamAsync_FirstCandidateStreams_EveryUpdateIsRead()
    {
        Provider("a/one", FakeChatClient.Answering("Oslo is the capital"));

        await using var route = await Executor.StreamAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        route.AnsweredBy.ShouldBe(new RouteCandidate("a", "one"));
        route.Error.ShouldBeNull();
        (await TextOf(route)).ShouldBe("Oslo is the capital ");
        Outcomes(route.Attempts).ShouldBe([("a/one", AttemptOutcomes.Succeeded)]);
    }

    [Fact]
    public async Task StreamAsync_FailureBeforeTheFirstUpdate_FallsBack()
    {
        Provider("a/one", FakeChatClient.Failing(new HttpRequestException("down")));
        Provider("b/two", FakeChatClient.Answering("Oslo"));

        await using var route = await Executor.StreamAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        route.AnsweredBy.ShouldBe(new RouteCandidate("b", "two"));
        Outcomes(route.Attempts).ShouldBe([("a/one", AttemptOutcomes.Failed), ("b/two", AttemptOutcomes.Succeeded)]);
        (await TextOf(route)).ShouldBe("Oslo ");
    }

    [Fact]
    public async Task StreamAsync_TheClientsOwnMistake_FailsWithoutFallingBack()
    {
        Provider("a/one", FakeChatClient.Failing(new HttpRequestException("bad", null, HttpStatusCode.BadRequest)));
        var second = Provider("b/two", FakeChatClient.Answering("Oslo"));

        await using var route = await Executor.StreamAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        route.AnsweredBy.ShouldBeNull();
        route.Error.ShouldNotBeNull().Status.ShouldBe(400);
        second.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task StreamAsync_EveryCandidateFails_IsAFailedRoute()
    {
        Provider("a/one", FakeChatClient.Failing(new HttpRequestException("down")));

        await using var route = await Executor.StreamAsync(Request(RouteStrategies.Single, "a/one", "b/gone"), Cancellation);

        route.Error.ShouldNotBeNull().Code.ShouldBe("model_not_found");
        route.First.ShouldBeNull();
        (await TextOf(route)).ShouldBeEmpty();
    }

    [Fact]
    public async Task StreamAsync_Parallel_TheFirstToStreamWins_AndTheOtherIsCancelled()
    {
        var slow = Provider("a/one", FakeChatClient.Hanging());
        Provider("b/two", FakeChatClient.Answering("Oslo", delay: TimeSpan.FromMilliseconds(20)));

        await using var route = await Executor.StreamAsync(Request(RouteStrategies.Parallel, "a/one", "b/two"), Cancellation);

        route.AnsweredBy.ShouldBe(new RouteCandidate("b", "two"));
        Outcomes(route.Attempts).ShouldBe([("b/two", AttemptOutcomes.Succeeded), ("a/one", AttemptOutcomes.Cancelled)]);
        (await TextOf(route)).ShouldBe("Oslo ");
        slow.Cancelled.ShouldBeTrue();
    }

    [Fact]
    public async Task StreamAsync_Cascade_StreamsTheAnswerThatPassedItsCheck()
    {
        Provider("cheap/small", FakeChatClient.Answering(""));
        Provider("dear/large", FakeChatClient.Answering("Oslo, Norway"));

        await using var route = await Executor.StreamAsync(Request(RouteStrategies.Cascade, "cheap/small", "dear/large"), Cancellation);

        route.AnsweredBy.ShouldBe(new RouteCandidate("dear", "large"));
        (await TextOf(route)).ShouldBe("Oslo, Norway");
        Outcomes(route.Attempts).ShouldBe([("cheap/small", AttemptOutcomes.Rejected), ("dear/large", AttemptOutcomes.Succeeded)]);
    }

    private static async Task<string> TextOf(StreamRoute route)
    {
        var text = new StringBuilder();
        await foreach (var update in route.ReadAllAsync(Cancellation))
        {
            text.Append(update.Text);
        }
        return text.ToString();
    }
}
