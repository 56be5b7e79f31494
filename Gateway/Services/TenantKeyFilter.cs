using Gateway.Model;

namespace Gateway.Services;

/// <summary>Admits a request only with a live tenant key holding <paramref name="scope"/>; the key rides on the request's features.</summary>
public sealed class TenantKeyFilter(string scope) : IEndpointFilter
{
    private const string BearerPrefix = "Bearer ";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return OpenAiErrors.MissingApiKey();
        }
        var presented = header.AsSpan(BearerPrefix.Length).Trim();
        if (presented.IsEmpty || presented.Length > ApiKeySecret.MaxLength)
        {
            return OpenAiErrors.InvalidApiKey("Incorrect API key provided.");
        }
        var hash = ApiKeySecret.Hash(presented);

        var keys = http.RequestServices.GetRequiredService<TenantKeyStore>();
        var key = await keys.FindAsync(hash, http.RequestAborted);
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (key is null || key.RevokedAt is not null)
        {
            return OpenAiErrors.InvalidApiKey("Incorrect API key provided.");
        }
        if (key.ExpiresAt <= now)
        {
            return OpenAiErrors.InvalidApiKey("This API key has expired.");
        }
        if (!key.TenantActive)
        {
            return OpenAiErrors.Forbidden($"The tenant '{key.TenantName}' is disabled.", "tenant_disabled");
        }
        if (!key.Scopes.Contains(scope))
        {
            return OpenAiErrors.Forbidden($"This API key lacks the '{scope}' scope.", "insufficient_scope");
        }

        http.Features.Set(key);
        return await next(context);
    }
}

public static class TenantKeyHttpContextExtensions
{
    /// <summary>The key <see cref="TenantKeyFilter"/> admitted this request with.</summary>
    public static TenantKey TenantKey(this HttpContext http) =>
        http.Features.Get<TenantKey>() ?? throw new InvalidOperationException("The endpoint has no TenantKeyFilter.");
}
