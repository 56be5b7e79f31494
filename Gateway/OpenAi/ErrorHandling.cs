using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.OpenAi;

/// <summary>The one place an unexpected failure becomes a response: OpenAI's error shape on <c>/v1</c>, ProblemDetails elsewhere.</summary>
public static class ErrorHandling
{
    public static WebApplication UseGatewayErrors(this WebApplication app)
    {
        app.UseExceptionHandler(errors => errors.Run(async http =>
        {
            var failure = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            var status = failure switch
            {
                // Kestrel's own refusals (a body too large, a malformed request) keep their status.
                BadHttpRequestException bad => bad.StatusCode,
                // A store that is away is the platform's trouble, and passing: say so, and when to come back.
                _ when ServiceErrors.IsStoreAway(failure) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            };
            http.Response.StatusCode = status;
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                http.Response.Headers.RetryAfter = "1";
            }
            if (http.Request.Path.StartsWithSegments("/v1"))
            {
                var (message, type) = status switch
                {
                    StatusCodes.Status500InternalServerError => ("The server had an error while processing your request.", "server_error"),
                    StatusCodes.Status503ServiceUnavailable => ("The service is briefly unavailable; please retry.", "service_unavailable"),
                    _ => (failure!.Message, OpenAiErrors.InvalidRequest),
                };
                await OpenAiErrors.Create(status, message, type).ExecuteAsync(http);
                return;
            }
            await TypedResults.Problem(statusCode: status).ExecuteAsync(http);
        }));
        return app;
    }
}
