using System.Net.WebSockets;
using System.Text.Json;
using Platform.Contracts.Realtime;

namespace Gateway.Keys;

/// <summary>
/// A refused WebSocket (<c>/ws/chat</c>) is accepted and ended the way the Realtime protocol ends a session: an
/// <c>error</c> event in OpenAI's shape, then a close with 1008, since a browser cannot read a refused handshake's
/// status or body.
/// </summary>
public static class WebSocketRefusal
{
    public static async Task WriteAsync(HttpContext http, KeyRefusal refusal)
    {
        var offered = RealtimeProtocol.Offered(http.Request.Headers.SecWebSocketProtocol);
        using var socket = await http.WebSockets.AcceptWebSocketAsync(offered.Contains(RealtimeProtocol.Subprotocol) ? RealtimeProtocol.Subprotocol : null);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "error");
            json.WriteNumber("seq", 0);
            json.WriteNumber("status", refusal.Status);
            json.WriteStartObject("error");
            json.WriteString("message", refusal.Message);
            json.WriteString("type", OpenAiErrors.InvalidRequest);
            json.WriteNull("param");
            json.WriteString("code", refusal.Code);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            // A close reason holds at most 123 bytes: the code, or the status's name.
            var reason = refusal.Code ?? (refusal.Status == StatusCodes.Status403Forbidden ? "forbidden" : "unauthorized");
            await socket.CloseOutputAsync((WebSocketCloseStatus)RealtimeProtocol.RefusedCloseStatus, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client left or would not read: nothing more is owed to it.
        }
    }
}
