using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Apis;

/// <summary>
/// The tenant's platform APIs through the one edge: <c>/api/v1/{service}/…</c> and <c>/ws/…</c> are forwarded
/// (YARP) to the internal services with the signed internal token in place of the tenant's key; so are agent runs,
/// <c>/v1/agents/…</c>, part of the OpenAI-compatible API (a key's <c>inference</c> scope).
/// </summary>
public static class PlatformProxy
{
    private static readonly string[] Services = ["router", "orchestrator", "analytics", "billing", "ingestion"];

    public static IHostApplicationBuilder AddPlatformProxy(this IHostApplicationBuilder builder)
    {
        var routes = Services
            .Select(service => new RouteConfig { RouteId = service, ClusterId = service, Match = new RouteMatch { Path = $"/api/v1/{service}/{{**rest}}" } })
            .Append(new RouteConfig { RouteId = "realtime", ClusterId = "realtime", Match = new RouteMatch { Path = "/ws/{**rest}" } })
            .Select(route => route with { AuthorizationPolicy = GatewayAuthentication.PlatformPolicy })
            .Append(new RouteConfig
            {
                RouteId = "agent-runs",
                ClusterId = "orchestrator",
                Match = new RouteMatch { Path = "/v1/agents/{**rest}" },
                AuthorizationPolicy = GatewayAuthentication.InferencePolicy,
                Transforms = [new Dictionary<string, string> { ["PathPattern"] = "/api/v1/orchestrator/agents/{**rest}" }],
            })
            .ToList();
        // Destinations from Aspire's service variables (services__<name>__http__N): every replica of each service.
        var clusters = Services.Append("realtime").Select(service => new ClusterConfig
        {
            ClusterId = service,
            Destinations = builder.Configuration.GetSection($"services:{service}:http").GetChildren()
                .Where(endpoint => !string.IsNullOrEmpty(endpoint.Value))
                .ToDictionary(endpoint => $"{service}-{endpoint.Key}", endpoint => new DestinationConfig { Address = endpoint.Value! }),
        }).ToList();

        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddTransforms(transforms => transforms.AddRequestTransform(context =>
            {
                var key = context.HttpContext.TenantKey();
                var token = context.HttpContext.RequestServices.GetRequiredService<InternalTokenCache>().For(key);
                context.ProxyRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                return ValueTask.CompletedTask;
            }));
        return builder;
    }

    public static WebApplication MapPlatformProxy(this WebApplication app)
    {
        // Each route names its policy: the platform scope, or inference for agent runs.
        app.MapReverseProxy();
        return app;
    }
}
