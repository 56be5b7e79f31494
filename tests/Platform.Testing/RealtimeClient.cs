using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Platform.Testing;

/// <summary>A <c>/ws/chat</c> client: opens a socket (through the Gateway, with a key), sends the protocol's messages and reads its events.</summary>
public sealed class RealtimeClient : IDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    private RealtimeClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>
    /// Opens <c>/ws/chat</c> at <paramref name="server"/>: the key as <c>Authorization</c> unless
    /// <paramref name="subprotocols"/> carry it; a small <paramref name="receiveBuffer"/> makes a client that stops
    /// reading fill up soon.
    /// </summary>
    public static async Task<RealtimeClient> ConnectAsync(Uri server, string? key, CancellationToken cancellationToken, IEnumerable<string>? subprotocols = null, int? receiveBuffer = null)
    {
        var socket = new ClientWebSocket();
        if (key is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        }
        foreach (var subprotocol in subprotocols ?? [])
        {
            socket.Options.AddSubProtocol(subprotocol);
        }
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var connection = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                if (receiveBuffer is { } size)
                {
                    connection.ReceiveBufferSize = size;
                }
                await connection.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(connection, ownsSocket: true);
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        await socket.ConnectAsync(new Uri($"ws://{server.Authority}/ws/chat"), invoker, cancellationToken);
        return new RealtimeClient(socket);
    }

    public Task SendAsync(object message, CancellationToken cancellationToken) =>
        Socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>The next event; null once the server closed the socket (its status is <see cref="WebSocket.CloseStatus"/>).</summary>
    public async Task<JsonElement?> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var frame = await Socket.ReceiveAsync(_buffer, cancellationToken);
            if (frame.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(_buffer, 0, frame.Count);
            if (frame.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }

    /// <summary>Events up to and including the first that <paramref name="last"/> accepts (or until the socket closes).</summary>
    public async Task<List<JsonElement>> ReceiveUntilAsync(Func<JsonElement, bool> last, CancellationToken cancellationToken)
    {
        var events = new List<JsonElement>();
        while (await ReceiveAsync(cancellationToken) is { } @event)
        {
            events.Add(@event);
            if (last(@event))
            {
                break;
            }
        }
        return events;
    }

    /// <summary>The text of a list of events' deltas.</summary>
    public static string TextOf(IEnumerable<JsonElement> events) =>
        string.Concat(events.Where(e => e.GetProperty("type").GetString() == "delta").Select(e => e.GetProperty("text").GetString()));

    public static bool Ends(JsonElement @event) => @event.GetProperty("type").GetString() is "done" or "error";

    public void Dispose() => Socket.Dispose();

    /// <summary>For an assertion's message: the events as JSON, one per line.</summary>
    public static string Show(IEnumerable<JsonElement> events) => new StringBuilder().AppendJoin('\n', events.Select(e => e.GetRawText())).ToString();
}
