using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.HttpResults;
using Realtime.Services;

namespace Realtime.Apis;

public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws/echo", Echo);
        app.MapGet("api/v1/realtime/sessions", CountSessions).RequireAuthorization(TenancyExtensions.OperatorPolicy);
        return app;
    }

    /// <summary>Echoes text frames back, with the session registered in Redis while it lives: the WebSocket path end to end.</summary>
    public static async Task<Results<EmptyHttpResult, BadRequest<string>>> Echo(HttpContext context, SessionRegistry sessions)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.BadRequest("This endpoint speaks WebSocket only.");
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var sessionId = Guid.NewGuid().ToString("N");
        await sessions.RenewAsync(sessionId);
        try
        {
            var buffer = new byte[4096];
            var aborted = context.RequestAborted;
            while (socket.State == WebSocketState.Open)
            {
                var frame = await socket.ReceiveAsync(buffer, aborted);
                if (frame.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, aborted);
                    break;
                }
                await socket.SendAsync(buffer.AsMemory(0, frame.Count), frame.MessageType, frame.EndOfMessage, aborted);
                await sessions.RenewAsync(sessionId);
            }
        }
        finally
        {
            await sessions.RemoveAsync(sessionId);
        }
        return TypedResults.Empty;
    }

    public static async Task<Ok<ActiveSessions>> CountSessions(SessionRegistry sessions) =>
        TypedResults.Ok(new ActiveSessions(await sessions.CountActiveAsync()));
}

public sealed record ActiveSessions(long Active);
