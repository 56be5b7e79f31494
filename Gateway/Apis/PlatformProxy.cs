using Microsoft.Net.Http.Headers;
using Platform.Contracts.Realtime;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Apis;

/// <summary>
/// The tenant's platform APIs through the one edge: <c>/api/v1/{service}/…</c> are forwarded (YARP) to the internal
/// services with the signed internal token in place of the tenant's key; so are agent runs, <c>/v1/agents/…</c>, and
/// live chat, <c>/ws/…</c> to Realtime, both part of the inference API (a key's <c>inference</c> scope).
/// </summary>
public static class PlatformProxy
{
    private static readonly string[] Services = ["router", "orchestrator", "analytics", "billing", "ingestion"];

    public static IHostApplicationBuilder AddPlatformProxy(this IHostApplicationBuilder builder)
    {
        var routes = Services
            .Select(service => new RouteConfig { RouteId = service, ClusterId = service, Match = new RouteMatch { Path = $"/api/v1/{service}/{{**rest}}" } })
            .Select(route => route with { AuthorizationPolicy = GatewayAuthentication.PlatformPolicy })
            // Live chat over a WebSocket: model calls, so a key's inference scope.
            .Append(new RouteConfig { RouteId = "realtime", ClusterId = "realtime", Match = new RouteMatch { Path = "/ws/{**rest}" }, AuthorizationPolicy = GatewayAuthentication.InferencePolicy })
            .Append(new RouteConfig
            {
                RouteId = "agent-runs",
                ClusterId = "orchestrator",
                Match = new RouteMatch { Path = "/v1/agents/{**rest}" },
                AuthorizationPolicy = GatewayAuthentication.InferencePolicy,
                Transforms = [new Dictionary<string, string> { ["PathPattern"] = "/api/v1/orchestrator/agents/{**rest}" }],
            })
            .ToList();
        // Destinations from Aspire's service variables (services__<name>__http__N): each address service discovery gives.
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
                // A key a browser offered as a WebSocket subprotocol goes no further than here.
                var protocols = context.HttpContext.Request.Headers.SecWebSocketProtocol;
                if (RealtimeProtocol.CredentialOf(protocols) is not null)
                {
                    context.ProxyRequest.Headers.Remove(HeaderNames.SecWebSocketProtocol);
                    var others = RealtimeProtocol.Offered(protocols).Where(protocol => !protocol.StartsWith(RealtimeProtocol.CredentialPrefix, StringComparison.Ordinal)).ToList();
                    if (others.Count > 0)
                    {
                        context.ProxyRequest.Headers.TryAddWithoutValidation(HeaderNames.SecWebSocketProtocol, string.Join(", ", others));
                    }
                }
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
