using Microsoft.Extensions.Options;
using Platform.Contracts.Realtime;
using Realtime.Sessions;

namespace Realtime.Apis;

public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        // Reached through the Gateway, which admitted the tenant's key and sends its internal token for it.
        app.MapGet("/ws/chat", ChatAsync).RequireAuthorization(TenancyExtensions.TenantPolicy);
        app.MapGet("api/v1/realtime/sessions", CountSessions).RequireAuthorization(TenancyExtensions.OperatorPolicy);
        return app;
    }

    /// <summary>The <c>/ws/chat</c> protocol (README, "Realtime"), one <see cref="ChatConnection"/> per socket.</summary>
    public static async Task<IResult> ChatAsync(
        HttpContext context, SessionHub hub, SessionStore store, Generations generations, ConnectionRegistry registry,
        IOptions<RealtimeOptions> options, RealtimeMetrics metrics, ILogger<ChatConnection> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "This endpoint speaks WebSocket only.");
        }
        var user = context.User;
        if (!Guid.TryParse(user.FindFirst(InternalTokenClaims.TenantId)?.Value, out var tenantId) || !Guid.TryParse(user.FindFirst(InternalTokenClaims.KeyId)?.Value, out var keyId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "A socket is opened with a tenant's key.");
        }
        // The socket keeps its request for as long as it is open; not the token that admitted it.
        context.Request.Headers.Authorization = default;
        var offered = RealtimeProtocol.Offered(context.Request.Headers.SecWebSocketProtocol);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(offered.Contains(RealtimeProtocol.Subprotocol) ? RealtimeProtocol.Subprotocol : null);
        await registry.OpenedAsync();
        try
        {
            using var connection = new ChatConnection(socket, tenantId, keyId, hub, store, generations, options.Value, metrics, logger);
            await connection.RunAsync(context.RequestAborted);
        }
        finally
        {
            await registry.ClosedAsync();
        }
        return TypedResults.Empty;
    }

    public static async Task<IResult> CountSessions(ConnectionRegistry registry) =>
        TypedResults.Ok(new ActiveSessions(await registry.CountActiveAsync()));
}

public sealed record ActiveSessions(long Active);
