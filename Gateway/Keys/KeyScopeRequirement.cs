using Gateway.Model;
using Microsoft.AspNetCore.Authorization;

namespace Gateway.Keys;

/// <summary>A tenant key of an active tenant, holding <see cref="Scope"/>.</summary>
public sealed record KeyScopeRequirement(string Scope) : IAuthorizationRequirement;

public sealed class KeyScopeAuthorizationHandler : AuthorizationHandler<KeyScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, KeyScopeRequirement requirement)
    {
        if ((context.Resource as HttpContext)?.Features.Get<TenantKey>() is not { } key)
        {
            return Task.CompletedTask;
        }
        if (!key.TenantActive)
        {
            context.Fail(new KeyRefusalReason(this, new KeyRefusal(StatusCodes.Status403Forbidden, "tenant_disabled", $"The tenant '{key.TenantName}' is disabled.")));
        }
        else if (!key.Scopes.Contains(requirement.Scope))
        {
            context.Fail(new KeyRefusalReason(this, new KeyRefusal(StatusCodes.Status403Forbidden, "insufficient_scope", $"This API key lacks the '{requirement.Scope}' scope.")));
        }
        else
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

public sealed class KeyRefusalReason(IAuthorizationHandler handler, KeyRefusal refusal) : AuthorizationFailureReason(handler, refusal.Message)
{
    public KeyRefusal Refusal { get; } = refusal;
}
