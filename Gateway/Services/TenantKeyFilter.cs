using Gateway.Model;

namespace Gateway.Services;

/// <summary>
/// Admits a request only with a live tenant key holding <paramref name="scope"/>; the key rides on the request's features.
/// Refusals are OpenAI errors, or ProblemDetails with <paramref name="problemDetails"/> (the <c>/api</c> convention).
/// </summary>
public sealed class TenantKeyFilter(string scope, bool problemDetails = false) : IEndpointFilter
{
    private const string BearerPrefix = "Bearer ";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await AuthenticateAsync(context.HttpContext) is not { } refusal ? await next(context)
            : problemDetails ? refusal.ToProblem()
            : OpenAiErrors.Create(refusal.Status, refusal.Message, code: refusal.Code);

    /// <summary>Null when the key is admitted (and set on the request); otherwise why not.</summary>
    public async Task<KeyRefusal?> AuthenticateAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return new KeyRefusal(StatusCodes.Status401Unauthorized, null, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
        }
        var presented = header.AsSpan(BearerPrefix.Length).Trim();
        if (presented.IsEmpty || presented.Length > ApiKeySecret.MaxLength)
        {
            return KeyRefusal.InvalidKey("Incorrect API key provided.");
        }
        var hash = ApiKeySecret.Hash(presented);

        var key = await http.RequestServices.GetRequiredService<TenantKeyStore>().FindAsync(hash, http.RequestAborted);
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (key is null || key.RevokedAt is not null)
        {
            return KeyRefusal.InvalidKey("Incorrect API key provided.");
        }
        if (key.ExpiresAt <= now)
        {
            return KeyRefusal.InvalidKey("This API key has expired.");
        }
        if (!key.TenantActive)
        {
            return new KeyRefusal(StatusCodes.Status403Forbidden, "tenant_disabled", $"The tenant '{key.TenantName}' is disabled.");
        }
        if (!key.Scopes.Contains(scope))
        {
            return new KeyRefusal(StatusCodes.Status403Forbidden, "insufficient_scope", $"This API key lacks the '{scope}' scope.");
        }

        http.Features.Set(key);
        return null;
    }
}

/// <summary>Why a key was refused: its status, OpenAI's error code and a message.</summary>
public readonly record struct KeyRefusal(int Status, string? Code, string Message)
{
    public string Title => Status == StatusCodes.Status401Unauthorized ? "Unauthorized" : "Forbidden";

    public IResult ToProblem() => TypedResults.Problem(statusCode: Status, title: Title, detail: Message);

    public static KeyRefusal InvalidKey(string message) => new(StatusCodes.Status401Unauthorized, "invalid_api_key", message);
}

public static class TenantKeyHttpContextExtensions
{
    /// <summary>The key <see cref="TenantKeyFilter"/> admitted this request with.</summary>
    public static TenantKey TenantKey(this HttpContext http) =>
        http.Features.Get<TenantKey>() ?? throw new InvalidOperationException("The endpoint has no TenantKeyFilter.");
}
