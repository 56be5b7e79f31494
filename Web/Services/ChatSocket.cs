using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.ServiceDiscovery;

namespace Web.Services;

/// <summary>
/// The playground's live chat: one <c>/ws/chat</c> socket to the Gateway per page, opened as the signed-in user (their
/// portal session key) when first needed, each question a <c>start</c> whose events are read as they come. The
/// Gateway is found by service discovery, as every other call of the portal's.
/// </summary>
public sealed class ChatSocket(ServiceEndpointResolver endpoints, PortalSession session) : IAsyncDisposable
{

    private ClientWebSocket? _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];

    /// <summary>The session the socket follows, once the Gateway has opened it.</summary>
    public string? SessionId { get; private set; }

    /// <summary>
    /// Asks <paramref name="model"/> about <paramref name="messages"/>: each token as it arrives, then the usage, then
    /// the route and cache status at the end. <see cref="CancelAsync"/> stops the answer; it then ends as cancelled.
    /// </summary>
    public async IAsyncEnumerable<ChatStreamEvent> AskAsync(string model, IReadOnlyList<(string Role, string Content)> messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(cancellationToken);
        var requestId = Guid.NewGuid().ToString("N");
        await SendAsync(socket, new { type = "start", request_id = requestId, model, messages = messages.Select(m => new { role = m.Role, content = m.Content }) }, cancellationToken);
        while (true)
        {
            var @event = await ReceiveAsync(socket, cancellationToken);
            if (@event.TryGetProperty("request_id", out var id) && id.GetString() != requestId)
            {
                continue;
            }
            switch (@event.GetProperty("type").GetString())
            {
                case "delta":
                    yield return new ChatStreamEvent(null, null, @event.GetProperty("text").GetString(), null);
                    break;
                case "usage":
                    var usage = @event.GetProperty("usage");
                    yield return new ChatStreamEvent(null, null, null, new ChatUsage(
                        usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64(),
                        usage.TryGetProperty("cost", out var cost) ? cost.GetDecimal() : null));
                    break;
                case "done":
                    yield return new ChatStreamEvent(Text(@event, "route"), Text(@event, "cache"), null, null)
                    {
                        Cancelled = Text(@event, "finish_reason") == "cancelled",
                    };
                    yield break;
                case "error":
                    var error = @event.GetProperty("error");
                    var status = @event.TryGetProperty("status", out var code) ? (HttpStatusCode)code.GetInt32() : HttpStatusCode.BadGateway;
                    throw new GatewayException(status, error.GetProperty("message").GetString() ?? "The answer failed.");
            }
        }
    }

    /// <summary>Stops the answer being given.</summary>
    public async Task CancelAsync()
    {
        if (_socket is { State: WebSocketState.Open } socket)
        {
            await SendAsync(socket, new { type = "cancel" }, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket is { } socket)
        {
            _socket = null;
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                {
                    // Gone already.
                }
            }
            socket.Dispose();
        }
    }

    /// <summary>The open socket, or a new one (a dropped socket is replaced: the next question starts a new session).</summary>
    private async Task<ClientWebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_socket is { State: WebSocketState.Open } open)
        {
            return open;
        }
        await DisposeAsync();
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {await session.TokenAsync()}");
        try
        {
            await socket.ConnectAsync(await GatewaySocketAsync(cancellationToken), cancellationToken);
        }
        catch (WebSocketException ex)
        {
            socket.Dispose();
            throw new GatewayException(HttpStatusCode.ServiceUnavailable, $"The live chat could not be opened: {ex.Message}");
        }
        _socket = socket;
        var opened = await ReceiveAsync(socket, cancellationToken);
        if (opened.GetProperty("type").GetString() == "error")
        {
            throw new GatewayException((HttpStatusCode)opened.GetProperty("status").GetInt32(), opened.GetProperty("error").GetProperty("message").GetString() ?? "Refused.");
        }
        SessionId = Text(opened, "session_id");
        return socket;
    }

    /// <summary>The Gateway's <c>/ws/chat</c>, at the address service discovery gives its HTTP endpoint.</summary>
    private async Task<Uri> GatewaySocketAsync(CancellationToken cancellationToken)
    {
        var resolved = (await endpoints.GetEndpointsAsync("http://gateway", cancellationToken)).Endpoints;
        var found = resolved.Count > 0 ? resolved[0].EndPoint : null;
        var address = found switch
        {
            UriEndPoint uri => uri.Uri,
            DnsEndPoint dns => new Uri($"http://{dns.Host}:{dns.Port}"),
            IPEndPoint ip => new Uri($"http://{ip}"),
            _ => throw new GatewayException(HttpStatusCode.ServiceUnavailable, "The Gateway's address is not known."),
        };
        return new UriBuilder(address) { Scheme = address.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Path = "/ws/chat" }.Uri;
    }

    private static Task SendAsync(ClientWebSocket socket, object message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, JsonSerializerOptions.Web), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task<JsonElement> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var frame = await socket.ReceiveAsync(_buffer, cancellationToken);
            if (frame.MessageType == WebSocketMessageType.Close)
            {
                throw new GatewayException(HttpStatusCode.BadGateway, $"The live chat closed ({socket.CloseStatus}: {socket.CloseStatusDescription}).");
            }
            message.Write(_buffer, 0, frame.Count);
            if (frame.EndOfMessage)
            {
                using var document = JsonDocument.Parse(message.ToArray());
                return document.RootElement.Clone();
            }
        }
    }

    private static string? Text(JsonElement @event, string name) =>
        @event.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
