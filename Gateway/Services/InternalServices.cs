using System.Net.Http.Headers;
using Gateway.Model;

namespace Gateway.Services;

/// <summary>
/// The services behind the Gateway, one typed client each, found by service discovery. Every call carries the
/// internal token of whoever the current request was authenticated as (<see cref="InternalTokenHandler"/>).
/// </summary>
public static class InternalServices
{
    public static void AddInternalServiceClients(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<InternalTokenCache>();
        services.AddTransient<InternalTokenHandler>();
        services.AddHttpClient<RouterClient>(client => client.BaseAddress = new Uri("https+http://router")).AsInternalClient();
        services.AddHttpClient<AnalyticsClient>(client => client.BaseAddress = new Uri("https+http://analytics")).AsInternalClient();
        services.AddHttpClient<KnowledgeClient>(client => client.BaseAddress = new Uri("https+http://ingestion")).AsInternalClient();
        services.AddHttpClient<BillingClient>(client => client.BaseAddress = new Uri("https+http://billing")).AsInternalClient();
        // Model calls run long and stream: no standard timeouts or retries here (the Orchestrator owns retry policy).
#pragma warning disable EXTEXP0001 // The library's way to opt one client out of the defaults' resilience handler.
        services.AddHttpClient<OrchestratorClient>(client =>
        {
            client.BaseAddress = new Uri("https+http://orchestrator");
            client.Timeout = TimeSpan.FromMinutes(10);
        }).RemoveAllResilienceHandlers().AsInternalClient();
        // A run is followed as long as it runs (its own time limit ends it); a broken follow is taken up again.
        services.AddHttpClient<AgentRunsClient>(client =>
        {
            client.BaseAddress = new Uri("https+http://orchestrator");
            client.Timeout = Timeout.InfiniteTimeSpan;
        }).RemoveAllResilienceHandlers().AsInternalClient();
#pragma warning restore EXTEXP0001
    }

    // The chat pipeline is built once and keeps its clients: their connections are renewed by the handler (every two
    // minutes, as the factory would rotate handlers), so the clients themselves never need to be.
    private static void AsInternalClient(this IHttpClientBuilder client) => client
        .AddHttpMessageHandler<InternalTokenHandler>()
        .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2))
        .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

    /// <summary>A service's answer passed on as it is: its status, content type and body.</summary>
    public static async Task<IResult> RelayAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        TypedResults.Content(await response.Content.ReadAsStringAsync(cancellationToken),
            response.Content.Headers.ContentType?.ToString() ?? "application/json", statusCode: (int)response.StatusCode);
}

/// <summary>
/// Adds the internal token to a call: the tenant's, for a request a tenant key authenticated; an operator's, for the
/// admin API. A call made for neither is a mistake, and fails rather than act with powers nobody presented.
/// </summary>
public sealed class InternalTokenHandler(IHttpContextAccessor accessor, InternalTokenCache tokens, InternalTokenIssuer issuer) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("An internal service is called outside of a request.");
        var token = http.Features.Get<TenantKey>() is { } key ? tokens.For(key)
            : http.User.HasClaim(InternalTokenClaims.Scope, TenancyExtensions.OperatorScope) ? issuer.IssueForOperator()
            : throw new InvalidOperationException("An internal service is called for a request that no key authenticated.");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return base.SendAsync(request, cancellationToken);
    }
}
