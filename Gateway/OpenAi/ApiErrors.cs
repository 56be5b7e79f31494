using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.OpenAi;

/// <summary>
/// The one place an error takes its shape: OpenAI's <c>{"error":…}</c> on <c>/v1</c>, which every OpenAI SDK reads, and
/// ProblemDetails on the platform APIs, carrying the same <c>code</c> (and the parameter at fault) as extensions.
/// </summary>
public static class ApiErrors
{
    public static IResult Create(HttpContext http, int status, string message, string? code = null, string type = OpenAiErrors.InvalidRequest, string? param = null)
    {
        if (http.Request.Path.StartsWithSegments("/v1"))
        {
            return OpenAiErrors.Create(status, message, type, code, param);
        }
        var extensions = new Dictionary<string, object?>();
        if (code is not null)
        {
            extensions["code"] = code;
        }
        if (param is not null)
        {
            extensions["param"] = param;
        }
        return TypedResults.Problem(statusCode: status, title: ReasonPhrases.GetReasonPhrase(status), detail: message, extensions: extensions);
    }
}
