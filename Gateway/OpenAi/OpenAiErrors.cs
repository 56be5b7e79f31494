namespace Gateway.OpenAi;

/// <summary>Errors in OpenAI's shape (<c>{"error":{"message","type","param","code"}}</c>), which every OpenAI SDK understands.</summary>
public static class OpenAiErrors
{
    public const string InvalidRequest = "invalid_request_error";

    public static IResult Create(int statusCode, string message, string type = InvalidRequest, string? code = null, string? param = null) =>
        TypedResults.Json(new OpenAiErrorResponse(new OpenAiError(message, type, param, code)), OpenAiJsonContext.Default.OpenAiErrorResponse, statusCode: statusCode);

    /// <summary>An error the platform describes (a refusal, a provider's failure), with <c>Retry-After</c> when it says when to come back.</summary>
    public static IResult From(HttpContext http, ExecutionError error)
    {
        if (error.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = Math.Ceiling(seconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Create(error.Status, error.Message, error.Type, error.Code, error.Param);
    }
}

public sealed record OpenAiErrorResponse(OpenAiError Error);

public sealed record OpenAiError(string Message, string Type, string? Param, string? Code);
