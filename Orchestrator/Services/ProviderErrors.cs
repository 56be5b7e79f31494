using System.ClientModel;
using System.Globalization;
using System.Net;
using Anthropic.Exceptions;
using OllamaSharp.Models.Exceptions;

namespace Orchestrator.Services;

/// <summary>Turns a provider's failure into the status the platform answers with, keeping the provider's wait.</summary>
public static class ProviderErrors
{
    public static ExecutionError From(Exception exception, string provider) => exception switch
    {
        ClientResultException { Status: 400 or 422 } ex => new(StatusCodes.Status400BadRequest, $"{provider} rejected the request: {ex.Message}", "invalid_request_error", "provider_rejected_request"),
        ClientResultException { Status: 401 or 403 } => new(StatusCodes.Status502BadGateway, $"{provider} refused the platform's credentials.", "api_error", "provider_auth_error"),
        ClientResultException { Status: 429 } ex => new(StatusCodes.Status429TooManyRequests, $"{provider} is rate limiting the platform.", "rate_limit_error", "provider_rate_limited", RetryAfter(ex)?.TotalSeconds),
        ClientResultException ex => new(StatusCodes.Status502BadGateway, $"{provider} failed ({ex.Status}).", "api_error", "provider_error"),
        AnthropicRateLimitException => new(StatusCodes.Status429TooManyRequests, $"{provider} is rate limiting the platform.", "rate_limit_error", "provider_rate_limited"),
        AnthropicUnauthorizedException => new(StatusCodes.Status502BadGateway, $"{provider} refused the platform's credentials.", "api_error", "provider_auth_error"),
        AnthropicBadRequestException ex => new(StatusCodes.Status400BadRequest, $"{provider} rejected the request: {ex.Message}", "invalid_request_error", "provider_rejected_request"),
        AnthropicException ex => new(StatusCodes.Status502BadGateway, $"{provider} failed: {ex.Message}", "api_error", "provider_error"),
        HttpRequestException { StatusCode: HttpStatusCode.TooManyRequests } => new(StatusCodes.Status429TooManyRequests, $"{provider} is rate limiting the platform.", "rate_limit_error", "provider_rate_limited"),
        HttpRequestException { StatusCode: HttpStatusCode.BadRequest } ex => new(StatusCodes.Status400BadRequest, $"{provider} rejected the request: {ex.Message}", "invalid_request_error", "provider_rejected_request"),
        HttpRequestException { StatusCode: not null } ex => new(StatusCodes.Status502BadGateway, $"{provider} failed ({(int)ex.StatusCode}).", "api_error", "provider_error"),
        HttpRequestException => new(StatusCodes.Status502BadGateway, $"{provider} is unreachable.", "api_error", "provider_unreachable"),
        OllamaException ex => new(StatusCodes.Status502BadGateway, $"{provider} failed: {ex.Message}", "api_error", "provider_error"),
        TimeoutException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException => new(StatusCodes.Status504GatewayTimeout, $"{provider} did not answer in time.", "api_error", "provider_timeout"),
        Polly.CircuitBreaker.BrokenCircuitException => new(StatusCodes.Status503ServiceUnavailable, $"{provider} is failing; its circuit is open.", "api_error", "provider_circuit_open"),
        NotSupportedException ex => new(StatusCodes.Status501NotImplemented, ex.Message, "api_error", "provider_not_supported"),
        _ => new(StatusCodes.Status502BadGateway, $"{provider} failed: {exception.Message}", "api_error", "provider_error"),
    };

    /// <summary>Worth another try of the same model: rate limits, server errors, timeouts, a broken connection.</summary>
    public static bool IsRetryable(Exception exception) => exception switch
    {
        ClientResultException { Status: 408 or 429 or >= 500 } => true,
        AnthropicRateLimitException or Anthropic5xxException or AnthropicOverloadedException => true,
        HttpRequestException { StatusCode: null or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError } => true,
        TimeoutException or Polly.Timeout.TimeoutRejectedException => true,
        _ => false,
    };

    /// <summary>A failure of the provider, not of the request: what the circuit breaker counts and fallbacks react to.</summary>
    public static bool CountsAgainstProvider(Exception exception) => exception switch
    {
        ClientResultException { Status: 400 or 422 } or AnthropicBadRequestException or HttpRequestException { StatusCode: HttpStatusCode.BadRequest } => false,
        OperationCanceledException => false,
        _ => true,
    };

    /// <summary>How long the provider asked to wait, when it said.</summary>
    public static TimeSpan? RetryAfter(Exception exception) =>
        exception is ClientResultException client
        && client.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) == true
        && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
