using System.Net;
using Microsoft.Extensions.AI;

namespace Orchestrator.UnitTests;

public sealed class RouteExecutorSingleTests : RouteExecutorFixture
{
    [Fact]
    public async Task ExecuteAsync_FirstCandidateAnswers_OthersAreNotCalled()
    {
        Provider("a/one", FakeChatClient.Answering("Oslo"));
        var second = Provider("b/two", FakeChatClient.Answering("Bergen"));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        result.Response.ShouldNotBeNull().Text.ShouldBe("Oslo");
        result.AnsweredBy.ShouldBe(new RouteCandidate("a", "one"));
        result.Error.ShouldBeNull();
        Outcomes(result.Attempts).ShouldBe([("a/one", AttemptOutcomes.Succeeded)]);
        second.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task ExecuteAsync_ProviderFailure_FallsBackToTheNext()
    {
        Provider("a/one", FakeChatClient.Failing(new HttpRequestException("boom", null, HttpStatusCode.ServiceUnavailable)));
        Provider("b/two", FakeChatClient.Answering("Oslo"));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("b", "two"));
        Outcomes(result.Attempts).ShouldBe([("a/one", AttemptOutcomes.Failed), ("b/two", AttemptOutcomes.Succeeded)]);
        result.Attempts[0].Error.ShouldBe("provider_error");
    }

    [Fact]
    public async Task ExecuteAsync_TheClientsOwnMistake_DoesNotFallBack()
    {
        Provider("a/one", FakeChatClient.Failing(new HttpRequestException("bad tool schema", null, HttpStatusCode.BadRequest)));
        var second = Provider("b/two", FakeChatClient.Answering("Oslo"));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        result.Response.ShouldBeNull();
        result.Error.ShouldNotBeNull().Status.ShouldBe(400);
        result.Error.Code.ShouldBe("provider_rejected_request");
        second.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task ExecuteAsync_EveryCandidateFails_ReturnsTheLastError()
    {
        Provider("a/one", FakeChatClient.Failing(new HttpRequestException("down")));
        Provider("b/two", FakeChatClient.Failing(new HttpRequestException("busy", null, HttpStatusCode.TooManyRequests)));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        result.Response.ShouldBeNull();
        result.AnsweredBy.ShouldBeNull();
        result.Error.ShouldNotBeNull().Code.ShouldBe("provider_rate_limited");
        result.Attempts.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ExecuteAsync_UnknownModel_Fails404_AndFallsBack()
    {
        Provider("b/two", FakeChatClient.Answering("Oslo"));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/gone", "b/two"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("b", "two"));
        result.Attempts[0].ShouldBe(new RouteAttempt("a/gone", AttemptOutcomes.Failed, 0, "model_not_found"));
    }

    [Fact]
    public async Task ExecuteAsync_OnlyAnUnknownModel_IsModelNotFound()
    {
        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/gone"), Cancellation);

        result.Error.ShouldNotBeNull().Status.ShouldBe(404);
        result.Error.Code.ShouldBe("model_not_found");
    }

    [Fact]
    public async Task ExecuteAsync_ProviderTooSlow_TimesOutAndFallsBack()
    {
        Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(100);
        var slow = Provider("a/one", FakeChatClient.Hanging());
        Provider("b/two", FakeChatClient.Answering("Oslo"));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("b", "two"));
        result.Attempts[0].Error.ShouldBe("provider_timeout");
        slow.Cancelled.ShouldBeTrue();
    }

    [Fact]
    public async Task ExecuteAsync_RetryableFailure_IsRetriedOnTheSameModel()
    {
        Resilience.MaxRetries = 2;
        var flaky = Provider("a/one", new FakeChatClient((call, _) => call == 1
            ? Task.FromException<ChatResponse>(new HttpRequestException("blip", null, HttpStatusCode.BadGateway))
            : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Oslo")))));

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        result.AnsweredBy.ShouldBe(new RouteCandidate("a", "one"));
        flaky.Calls.ShouldBe(2);
        Outcomes(result.Attempts).ShouldBe([("a/one", AttemptOutcomes.Succeeded)]);
    }

    [Fact]
    public async Task ExecuteAsync_AfterRepeatedFailures_TheOpenCircuitIsSkipped()
    {
        var failing = Provider("a/one", FakeChatClient.Failing(new HttpRequestException("down")));
        Provider("b/two", FakeChatClient.Answering("Oslo"));
        await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);
        await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), Cancellation);

        failing.Calls.ShouldBe(2);
        result.Attempts[0].ShouldBe(new RouteAttempt("a/one", AttemptOutcomes.Skipped, 0, "circuit open"));
        result.AnsweredBy.ShouldBe(new RouteCandidate("b", "two"));
    }

    [Fact]
    public async Task ExecuteAsync_EveryCircuitOpen_Is503CircuitOpen()
    {
        Provider("a/one", FakeChatClient.Failing(new HttpRequestException("down")));
        await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one"), Cancellation);
        await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one"), Cancellation);

        var result = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one"), Cancellation);

        result.Error.ShouldNotBeNull().Status.ShouldBe(503);
        result.Error.Code.ShouldBe("provider_circuit_open");
    }

    [Fact]
    public async Task ExecuteAsync_ClientErrors_DoNotOpenTheCircuit()
    {
        var rejecting = Provider("a/one", FakeChatClient.Failing(new HttpRequestException("bad", null, HttpStatusCode.BadRequest)));
        for (var i = 0; i < 3; i++)
        {
            await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one"), Cancellation);
        }

        rejecting.Calls.ShouldBe(3);
    }

    [Fact]
    public async Task ExecuteAsync_PassesTheOptionsWithTheCandidatesModelId()
    {
        var client = Provider("a/one", FakeChatClient.Answering("Oslo"));

        await Executor.ExecuteAsync(Request(RouteStrategies.Single, new ChatExecutionOptions { Temperature = 0.3f, MaxOutputTokens = 12 }, "a/one"), Cancellation);

        client.LastOptions.ShouldNotBeNull().ModelId.ShouldBe("one");
        client.LastOptions.Temperature.ShouldBe(0.3f);
        client.LastOptions.MaxOutputTokens.ShouldBe(12);
    }

    [Fact]
    public async Task ExecuteAsync_ProviderWithoutUsage_IsCountedHere()
    {
        Provider("a/one", FakeChatClient.Answering("Oslo is the capital."));
        Provider("b/two", FakeChatClient.Answering("Oslo", usage: new UsageDetails { InputTokenCount = 99, OutputTokenCount = 1 }));

        var counted = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one"), Cancellation);
        var reported = await Executor.ExecuteAsync(Request(RouteStrategies.Single, "b/two"), Cancellation);

        var usage = counted.Response!.Usage.ShouldNotBeNull();
        usage.InputTokenCount.ShouldBe(Tokens.Count(Request(RouteStrategies.Single, "a/one").Messages));
        usage.OutputTokenCount.ShouldBe(Tokens.Count("Oslo is the capital."));
        usage.TotalTokenCount.ShouldBe(usage.InputTokenCount + usage.OutputTokenCount);
        reported.Response!.Usage!.InputTokenCount.ShouldBe(99);
    }

    [Fact]
    public async Task ExecuteAsync_CallerGivesUp_IsCancelledNotAFailure()
    {
        Provider("a/one", FakeChatClient.Hanging());
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        caller.CancelAfter(50);

        await Should.ThrowAsync<OperationCanceledException>(() => Executor.ExecuteAsync(Request(RouteStrategies.Single, "a/one", "b/two"), caller.Token));
    }
}
