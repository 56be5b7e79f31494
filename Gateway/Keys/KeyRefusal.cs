namespace Gateway.Keys;

/// <summary>
/// Why a key was refused: its status, OpenAI's error code and a message. Written in the one shape of the path it was
/// refused on: OpenAI's error on <c>/v1</c>, ProblemDetails on the platform APIs, an error event and a close on a WebSocket.
/// </summary>
public sealed record KeyRefusal(int Status, string? Code, string Message)
{
    public static KeyRefusal InvalidKey(string message) => new(StatusCodes.Status401Unauthorized, "invalid_api_key", message);

    public async Task WriteAsync(HttpContext http)
    {
        if (http.WebSockets.IsWebSocketRequest)
        {
            await WebSocketRefusal.WriteAsync(http, this);
            return;
        }
        if (Status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }
        await ApiErrors.Create(http, Status, Message, Code).ExecuteAsync(http);
    }
}
