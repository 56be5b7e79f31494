using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace ServiceDefaults;

/// <summary>What an unexpected failure becomes in a service's response.</summary>
public static class ServiceErrors
{
    /// <summary>
    /// A store that is away (PostgreSQL restarting, say, when each pooled connection it broke fails once) is the
    /// platform's trouble and passing, not a bug: 503 with Retry-After rather than 500.
    /// </summary>
    public static bool IsStoreAway(Exception? failure) =>
        failure is DbException or TimeoutException || failure?.InnerException is DbException or TimeoutException;

    /// <summary>Unhandled failures as problem details: a store that is away as 503 with Retry-After, anything else as 500.</summary>
    public static WebApplication UseDefaultExceptionHandler(this WebApplication app)
    {
        app.UseExceptionHandler(errors => errors.Run(async http =>
        {
            if (IsStoreAway(http.Features.Get<IExceptionHandlerFeature>()?.Error))
            {
                http.Response.Headers.RetryAfter = "1";
                await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Briefly unavailable",
                    detail: "A store this service needs did not answer; please retry.").ExecuteAsync(http);
                return;
            }
            await TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(http);
        }));
        return app;
    }
}
