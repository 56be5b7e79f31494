using System.ClientModel;
using System.Net;
using OllamaSharp.Models.Exceptions;
using Orchestrator.Services;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Orchestrator.UnitTests;

public sealed class ProviderErrorsTests
{
    [Theory]
    [InlineData(400, 400, "invalid_request_error", "provider_rejected_request")]
    [InlineData(422, 400, "invalid_request_error", "provider_rejected_request")]
    [InlineData(401, 502, "api_error", "provider_auth_error")]
    [InlineData(403, 502, "api_error", "provider_auth_error")]
    [InlineData(429, 429, "rate_limit_error", "provider_rate_limited")]
    [InlineData(500, 502, "api_error", "provider_error")]
    [InlineData(503, 502, "api_error", "provider_error")]
    public void From_OpenAiStatus_IsThePlatformsAnswer(int providerStatus, int status, string type, string code)
    {
        var error = ProviderErrors.From(new ClientResultException(new FakeResponse(providerStatus)), "openai");

        error.Status.ShouldBe(status);
        error.Type.ShouldBe(type);
        error.Code.ShouldBe(code);
        error.Message.ShouldStartWith("openai ");
    }

    [Fact]
    public void From_RateLimitWithRetryAfter_KeepsTheProvidersWait()
    {
        var exception = new ClientResultException(new FakeResponse(429, new() { ["Retry-After"] = "7.5" }));

        ProviderErrors.From(exception, "openai").RetryAfterSeconds.ShouldBe(7.5);
        ProviderErrors.RetryAfter(exception).ShouldBe(TimeSpan.FromSeconds(7.5));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Wed, 21 Oct 2015 07:28:00 GMT")]
    public void RetryAfter_AbsentOrNotSeconds_IsNull(string? header)
    {
        var exception = new ClientResultException(new FakeResponse(429, header is null ? null : new() { ["Retry-After"] = header }));

        ProviderErrors.RetryAfter(exception).ShouldBeNull();
        ProviderErrors.RetryAfter(new HttpRequestException("x", null, HttpStatusCode.TooManyRequests)).ShouldBeNull();
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, 429, "provider_rate_limited")]
    [InlineData(HttpStatusCode.BadRequest, 400, "provider_rejected_request")]
    [InlineData(HttpStatusCode.InternalServerError, 502, "provider_error")]
    [InlineData(HttpStatusCode.NotFound, 502, "provider_error")]
    public void From_HttpStatus_IsThePlatformsAnswer(HttpStatusCode providerStatus, int status, string code)
    {
        var error = ProviderErrors.From(new HttpRequestException("x", null, providerStatus), "ollama");

        error.Status.ShouldBe(status);
        error.Code.ShouldBe(code);
    }

    [Fact]
    public void From_NoResponseAtAll_IsUnreachable()
    {
        ProviderErrors.From(new HttpRequestException("connection refused"), "ollama").ShouldBe(
            new ExecutionError(502, "ollama is unreachable.", "api_error", "provider_unreachable"));
    }

    [Fact]
    public void From_Timeouts_Are504()
    {
        ProviderErrors.From(new TimeoutRejectedException(), "p").Status.ShouldBe(504);
        ProviderErrors.From(new TimeoutException(), "p").Code.ShouldBe("provider_timeout");
        ProviderErrors.From(new TaskCanceledException(), "p").Code.ShouldBe("provider_timeout");
    }

    [Fact]
    public void From_OtherFailures_AreMappedByKind()
    {
        ProviderErrors.From(new BrokenCircuitException(), "p").ShouldBe(new ExecutionError(503, "p is failing; its circuit is open.", "api_error", "provider_circuit_open"));
        ProviderErrors.From(new NotSupportedException("no vision here"), "p").ShouldBe(new ExecutionError(501, "no vision here", "api_error", "provider_not_supported"));
        ProviderErrors.From(new OllamaException("model not pulled"), "p").Message.ShouldBe("p failed: model not pulled");
        ProviderErrors.From(new InvalidOperationException("odd"), "p").ShouldBe(new ExecutionError(502, "p failed: odd", "api_error", "provider_error"));
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    public void IsRetryable_OpenAiStatus_OnlyTransientOnes(int status, bool retryable)
    {
        ProviderErrors.IsRetryable(new ClientResultException(new FakeResponse(status))).ShouldBe(retryable);
    }

    [Fact]
    public void IsRetryable_OtherFailures_ByKind()
    {
        ProviderErrors.IsRetryable(new HttpRequestException("reset")).ShouldBeTrue();
        ProviderErrors.IsRetryable(new HttpRequestException("x", null, HttpStatusCode.BadGateway)).ShouldBeTrue();
        ProviderErrors.IsRetryable(new HttpRequestException("x", null, HttpStatusCode.BadRequest)).ShouldBeFalse();
        ProviderErrors.IsRetryable(new TimeoutRejectedException()).ShouldBeTrue();
        ProviderErrors.IsRetryable(new OllamaException("x")).ShouldBeFalse();
        ProviderErrors.IsRetryable(new NotSupportedException()).ShouldBeFalse();
    }

    [Fact]
    public void CountsAgainstProvider_TheRequestsOwnFaultOrCancellation_DoesNot()
    {
        ProviderErrors.CountsAgainstProvider(new ClientResultException(new FakeResponse(400))).ShouldBeFalse();
        ProviderErrors.CountsAgainstProvider(new ClientResultException(new FakeResponse(422))).ShouldBeFalse();
        ProviderErrors.CountsAgainstProvider(new HttpRequestException("x", null, HttpStatusCode.BadRequest)).ShouldBeFalse();
        ProviderErrors.CountsAgainstProvider(new OperationCanceledException()).ShouldBeFalse();
        ProviderErrors.CountsAgainstProvider(new ClientResultException(new FakeResponse(401))).ShouldBeTrue();
        ProviderErrors.CountsAgainstProvider(new ClientResultException(new FakeResponse(500))).ShouldBeTrue();
        ProviderErrors.CountsAgainstProvider(new TimeoutRejectedException()).ShouldBeTrue();
        ProviderErrors.CountsAgainstProvider(new HttpRequestException("refused")).ShouldBeTrue();
    }
}
