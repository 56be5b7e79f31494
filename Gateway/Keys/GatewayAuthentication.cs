using Gateway.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace Gateway.Keys;

/// <summary>
/// Who may call the Gateway: a scheme per credential (tenant keys and portal sessions, agent runs' tokens, the
/// operators' admin key; the services behind it take the internal token,
/// <see cref="TenancyExtensions.AddInternalTokenAuthentication"/>) and a policy per kind of endpoint. Refusals are
/// written in one place, in the shape of the path (<see cref="KeyRefusal"/>).
/// </summary>
public static class GatewayAuthentication
{
    public const string TenantKeyScheme = "TenantKey";
    public const string OperatorKeyScheme = "OperatorKey";
    public const string DelegatedKeyScheme = "DelegatedKey";

    /// <summary>A tenant key, or an agent run's token acting as one, told apart by shape: a tenant key is never parsed as a token.</summary>
    public const string TenantKeyOrDelegatedKeyScheme = "TenantKeyOrDelegatedKey";

    /// <summary>The OpenAI-compatible API and the MCP server: a tenant key with the <c>inference</c> scope, or an agent run's token for one.</summary>
    public const string InferencePolicy = "inference";

    /// <summary>The platform APIs (self-service, the proxy to the services, sign-out): the <c>platform</c> scope.</summary>
    public const string PlatformPolicy = "platform";

    /// <summary>The admin API: the operators' key.</summary>
    public const string OperatorPolicy = TenancyExtensions.OperatorPolicy;

    public static void AddGatewayAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, TenantKeyAuthenticationHandler>(TenantKeyScheme, null)
            .AddScheme<DelegatedKeyAuthenticationOptions, DelegatedKeyAuthenticationHandler>(DelegatedKeyScheme, null)
            .AddPolicyScheme(TenantKeyOrDelegatedKeyScheme, null, scheme =>
                scheme.ForwardDefaultSelector = http => DelegatedKeyToken.IsPresented(http.Request) ? DelegatedKeyScheme : TenantKeyScheme)
            .AddScheme<AuthenticationSchemeOptions, OperatorKeyAuthenticationHandler>(OperatorKeyScheme, null);
        services.AddOptions<DelegatedKeyAuthenticationOptions>(DelegatedKeyScheme)
            .Configure<IOptions<InternalTokenOptions>>((agentRun, tokens) => agentRun.TokenValidationParameters = tokens.Value.CreateValidationParameters());
        services.AddAuthorizationBuilder()
            .AddPolicy(InferencePolicy, policy => policy.AddAuthenticationSchemes(TenantKeyOrDelegatedKeyScheme).AddRequirements(new KeyScopeRequirement(ApiKeyScopes.Inference)))
            .AddPolicy(PlatformPolicy, policy => policy.AddAuthenticationSchemes(TenantKeyScheme).AddRequirements(new KeyScopeRequirement(ApiKeyScopes.Platform)))
            .AddPolicy(OperatorPolicy, policy => policy.AddAuthenticationSchemes(OperatorKeyScheme).RequireAuthenticatedUser());
        services.AddSingleton<IAuthorizationHandler, KeyScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, RefusalWriter>();
    }

    /// <summary>Writes a challenge or a refusal with the reason the scheme or the requirement gave.</summary>
    private sealed class RefusalWriter : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public Task HandleAsync(RequestDelegate next, HttpContext http, AuthorizationPolicy policy, PolicyAuthorizationResult result)
        {
            if (result.Challenged && http.Features.Get<KeyRefusal>() is { } unauthenticated)
            {
                return unauthenticated.WriteAsync(http);
            }
            if (result.Forbidden && result.AuthorizationFailure?.FailureReasons.OfType<KeyRefusalReason>().FirstOrDefault() is { } forbidden)
            {
                return forbidden.Refusal.WriteAsync(http);
            }
            return _default.HandleAsync(next, http, policy, result);
        }
    }
}
