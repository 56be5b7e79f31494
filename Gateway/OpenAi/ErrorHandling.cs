using Microsoft.AspNetCore.Diagnostics;

namespace Gateway.OpenAi;

/// <summary>Where an unexpected failure becomes a response, in the path's shape (<see cref="ApiErrors"/>).</summary>
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
            var (message, type) = status switch
            {
                StatusCodes.Status500InternalServerError => ("The server had an error while processing your request.", "server_error"),
                StatusCodes.Status503ServiceUnavailable => ("The service is briefly unavailable; please retry.", "service_unavailable"),
                _ => (failure!.Message, OpenAiErrors.InvalidRequest),
            };
            await ApiErrors.Create(http, status, message, type: type).ExecuteAsync(http);
        }));
        return app;
    }
}
