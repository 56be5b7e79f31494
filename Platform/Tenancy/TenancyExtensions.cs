using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Platform.Tenancy;

public static class TenancyExtensions
{
    /// <summary>The authorization policy of endpoints that act for a tenant.</summary>
    public const string TenantPolicy = "tenant";

    /// <summary>The authorization policy of endpoints for the platform's operators (the Gateway's admin API).</summary>
    public const string OperatorPolicy = "operator";

    public const string OperatorScope = "operator";

    /// <summary>The scope of a token an agent run calls the Gateway's <c>/v1</c> API with, as the key that started it.</summary>
    public const string AgentScope = "agent";

    /// <summary>The scope of a token Realtime calls the Gateway's <c>/v1</c> API with, as the key a WebSocket session was opened with.</summary>
    public const string RealtimeScope = "realtime";

    /// <summary>
    /// Accepts only the Gateway's signed internal token (<c>Authorization: Bearer</c>) and makes its tenant the
    /// request's <see cref="TenantContext"/>. A request that merely names a tenant in a header is unauthenticated.
    /// </summary>
    public static IHostApplicationBuilder AddInternalTokenAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddInternalTokenOptions();
        builder.Services.AddTenantContext();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<InternalTokenOptions>>((bearer, tokens) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = tokens.Value.CreateValidationParameters();
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(TenantPolicy, policy => policy.RequireClaim(InternalTokenClaims.TenantId))
            .AddPolicy(OperatorPolicy, policy => policy.RequireClaim(InternalTokenClaims.Scope, OperatorScope));
        return builder;
    }

    /// <summary>Lets the Gateway mint internal tokens.</summary>
    public static IHostApplicationBuilder AddInternalTokenIssuer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddInternalTokenOptions();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<InternalTokenIssuer>();
        return builder;
    }

    // A service without a usable signing key refuses to start rather than refuse every request.
    private static void AddInternalTokenOptions(this IServiceCollection services) => services
        .AddOptions<InternalTokenOptions>()
        .BindConfiguration("InternalTokens")
        .Validate(options => InternalTokenKey.TryFrom(options, out _), "InternalTokens:SigningKey must be base64 of at least 32 bytes; the AppHost generates one.")
        .ValidateOnStart();

    internal static IServiceCollection AddTenantContext(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.TryAddScoped(provider =>
        {
            var tenant = new TenantContext();
            var claim = provider.GetRequiredService<IHttpContextAccessor>().HttpContext?.User.FindFirst(InternalTokenClaims.TenantId);
            if (claim is not null && Guid.TryParse(claim.Value, out var tenantId))
            {
                tenant.Enter(tenantId);
            }
            return tenant;
        });
        return services;
    }
}
