namespace Gateway.Services;

/// <summary>Errors in OpenAI's shape (<c>{"error":{"message","type","param","code"}}</c>), which every OpenAI SDK understands.</summary>
public static class OpenAiErrors
{
    public const string InvalidRequest = "invalid_request_error";

    public static IResult Create(int statusCode, string message, string type = InvalidRequest, string? code = null, string? param = null) =>
        TypedResults.Json(new OpenAiErrorResponse(new OpenAiError(message, type, param, code)), OpenAiJsonContext.Default.OpenAiErrorResponse, statusCode: statusCode);


    /// <summary>429 with <c>Retry-After</c> in whole seconds, as OpenAI answers a client over its limits.</summary>
    public static IResult RateLimited(HttpContext http, RateLimitDecision decision)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(StatusCodes.Status429TooManyRequests,
            $"Rate limit reached for this key or tenant (requests or tokens per minute). Please try again in {seconds}s.",
            type: "requests", code: "rate_limit_exceeded");
    }

    /// <summary>
    /// A budget or plan limit reached: OpenAI's <c>insufficient_quota</c>, as 429 (or 402 where the plan says so),
    /// with <c>Retry-After</c> until the budget's period ends.
    /// </summary>
    public static IResult InsufficientQuota(HttpContext http, BudgetReservation refusal)
    {
        if (refusal.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Create(refusal.Status, refusal.Message!, type: "insufficient_quota", code: "insufficient_quota");
    }
}

public sealed record OpenAiErrorResponse(OpenAiError Error);

public sealed record OpenAiError(string Message, string Type, string? Param, string? Code);
