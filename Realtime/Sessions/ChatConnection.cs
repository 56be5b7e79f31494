using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Platform.Contracts.Realtime;
using StackExchange.Redis;

namespace Realtime.Sessions;

/// <summary>
/// One <c>/ws/chat</c> socket: reads the client's messages (<c>start</c>, <c>cancel</c>, <c>ping</c>, <c>resume</c>)
/// and writes its session's events through a bounded <see cref="SendQueue"/>, in seq order and each once. A socket
/// that falls behind its queue's bounds is closed with 1013; until then its deltas are joined.
/// <para>
/// Delivery: events arrive from <see cref="SessionHub"/>, possibly twice (a replica's own and one published) or, after
/// a resume, ahead of what the socket has seen. The socket sends the next seq only; anything ahead makes it catch up
/// from the session's kept events (Redis) before it goes on, holding what arrives meanwhile.
/// </para>
/// </summary>
public sealed partial class ChatConnection(
    WebSocket socket, Guid tenantId, Guid keyId, SessionHub hub, SessionStore store, Generations generations,
    RealtimeOptions options, RealtimeMetrics metrics, ILogger logger) : IDisposable
{
    private const int CatchUpPage = 500;
    private const int MessageBufferBytes = 1024;

    private readonly SendQueue _queue = new(options.SendQueueBytes, options.SendQueueEvents, metrics);
    // Cancels a send to a client that no longer reads, once it has overflowed its queue and had its time to close.
    private readonly CancellationTokenSource _sending = new();
    private readonly Lock _gate = new();
    private readonly List<SessionEvent> _held = [];
    private string _sessionId = Guid.NewGuid().ToString("N");
    private bool _joined;
    private long _lastSeq;
    private bool _catchingUp;

    public async Task RunAsync(CancellationToken aborted)
    {
        metrics.Connected(+1);
        SendOwn(SessionStarted(resumed: false));
        var writing = WriteAsync();
        try
        {
            await ReadAsync(aborted);
        }
        finally
        {
            _queue.Close();
            await writing;
            if (socket.State == WebSocketState.CloseReceived)
            {
                await CloseAsync(WebSocketCloseStatus.NormalClosure, null);
            }
            if (_joined)
            {
                try
                {
                    await hub.LeaveAsync(_sessionId, this);
                }
                catch (Exception ex) when (ex is RedisException or NATS.Client.Core.NatsException)
                {
                    // The session's socket count stays one too high: its generation runs to its end rather than its grace time.
                    LogLeaveFailed(logger, ex, _sessionId);
                }
            }
            metrics.Connected(-1);
        }
    }

    /// <summary>An event of the session this socket follows, from <see cref="SessionHub"/>.</summary>
    public void Deliver(string sessionId, SessionEvent @event)
    {
        lock (_gate)
        {
            if (sessionId != _sessionId)
            {
                return;
            }
            if (_catchingUp)
            {
                _held.Add(@event);
                return;
            }
            if (@event.Seq <= _lastSeq)
            {
                return;
            }
            if (@event.Seq > _lastSeq + 1)
            {
                _catchingUp = true;
                _held.Add(@event);
                _ = CatchUpAsync();
                return;
            }
            Send(@event);
        }
    }

    private async Task ReadAsync(CancellationToken aborted)
    {
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                // An idle socket waits for its next message holding no buffer (a zero-byte receive); a message gets one.
                var frame = await socket.ReceiveAsync(Memory<byte>.Empty, aborted);
                if (frame.MessageType == WebSocketMessageType.Close || !await ReadMessageAsync(frame, aborted))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away, or was dropped for not reading.
        }
    }

    /// <summary>Reads and handles the message whose first frame has arrived; false when the socket is to close.</summary>
    private async Task<bool> ReadMessageAsync(ValueWebSocketReceiveResult frame, CancellationToken aborted)
    {
        var type = frame.MessageType;
        var message = new ArrayBufferWriter<byte>(MessageBufferBytes);
        while (!frame.EndOfMessage)
        {
            frame = await socket.ReceiveAsync(message.GetMemory(), aborted);
            if (frame.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }
            message.Advance(frame.Count);
            if (message.WrittenCount > options.MaxMessageBytes)
            {
                _queue.Close();
                await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"A message may have at most {options.MaxMessageBytes} bytes.");
                return false;
            }
        }
        await HandleAsync(type, message.WrittenMemory);
        return true;
    }

    private async Task HandleAsync(WebSocketMessageType type, ReadOnlyMemory<byte> bytes)
    {
        JsonDocument document;
        try
        {
            document = type == WebSocketMessageType.Text ? JsonDocument.Parse(bytes) : throw new JsonException("binary");
        }
        catch (JsonException)
        {
            metrics.Received("invalid");
            SendOwn(Invalid(null, "Messages are JSON objects in text frames, with a 'type'.", "invalid_message"));
            return;
        }
        using (document)
        {
            var message = document.RootElement;
            var kind = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("type", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() : null;
            metrics.Received(kind is "start" or "cancel" or "ping" or "resume" ? kind : "invalid");
            try
            {
                switch (kind)
                {
                    case "start":
                        await StartAsync(message);
                        break;
                    case "cancel":
                        if (_joined)
                        {
                            await hub.SendControlAsync(_sessionId, SessionHub.Cancel);
                        }
                        break;
                    case "ping":
                        SendOwn(Own(SessionEvent.Pong, null, _ => { }));
                        break;
                    case "resume":
                        await ResumeAsync(message);
                        break;
                    default:
                        SendOwn(Invalid(null, "A message's 'type' is start, cancel, ping or resume.", "invalid_message"));
                        break;
                }
            }
            catch (Exception ex) when (ex is RedisException or NATS.Client.Core.NatsException)
            {
                LogSessionStoreFailed(logger, ex, _sessionId);
                SendOwn(Error(null, 503, "Sessions are unavailable for a moment; try again.", "api_error", "sessions_unavailable"));
            }
        }
    }

    private async Task StartAsync(JsonElement message)
    {
        var (request, problem) = StartRequest.Parse(message);
        if (request is null)
        {
            SendOwn(Invalid(null, problem!, "invalid_start"));
            return;
        }
        if (!_joined)
        {
            await store.CreateAsync(_sessionId, tenantId, keyId);
            await hub.JoinAsync(_sessionId, this);
            _joined = true;
        }
        if (!await generations.TryStartAsync(_sessionId, tenantId, keyId, request))
        {
            SendOwn(Error(request.RequestId, 409, "This session is already generating an answer: wait for its done, or cancel it.", "invalid_request_error", "generation_in_progress"));
        }
    }

    private async Task ResumeAsync(JsonElement message)
    {
        var sessionId = message.TryGetProperty("session_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        if (string.IsNullOrEmpty(sessionId) || sessionId.Length > 64 || !message.TryGetProperty("last_seq", out var last) || !last.TryGetInt64(out var lastSeq) || lastSeq < 0)
        {
            SendOwn(Invalid(null, "A resume names its 'session_id' and the 'last_seq' the client received (0 for none).", "invalid_resume"));
            return;
        }
        // Another tenant's session is as absent as a lapsed one.
        if (await store.FindAsync(sessionId) is not { } session || session.TenantId != tenantId)
        {
            SendOwn(Error(null, 404, $"No session '{sessionId}' is kept for you: it may have lapsed.", "invalid_request_error", "session_not_found"));
            return;
        }
        if (_joined)
        {
            await hub.LeaveAsync(_sessionId, this);
            _joined = false;
        }
        lock (_gate)
        {
            _sessionId = sessionId;
            _lastSeq = lastSeq;
            _catchingUp = true;
            _held.Clear();
            SendOwn(SessionStarted(resumed: true));
        }
        await hub.JoinAsync(sessionId, this);
        _joined = true;
        await CatchUpAsync();
    }

    /// <summary>
    /// Sends the kept events after the last one sent, then those held meanwhile, in order. Whatever is held ahead of
    /// the kept events after a read that found nothing more was trimmed from Redis: the client is told, and goes on.
    /// </summary>
    private async Task CatchUpAsync()
    {
        try
        {
            while (true)
            {
                string sessionId;
                long after;
                lock (_gate)
                {
                    (sessionId, after) = (_sessionId, _lastSeq);
                }
                var kept = await store.ReadAfterAsync(sessionId, after, CatchUpPage);
                lock (_gate)
                {
                    if (sessionId != _sessionId)
                    {
                        return;
                    }
                    foreach (var @event in kept.Where(@event => @event.Seq > _lastSeq))
                    {
                        SendAfterGap(@event);
                    }
                    if (kept.Count == CatchUpPage)
                    {
                        continue;
                    }
                    _held.Sort((a, b) => a.Seq.CompareTo(b.Seq));
                    var next = 0;
                    for (; next < _held.Count && _held[next].Seq <= _lastSeq + 1; next++)
                    {
                        if (_held[next].Seq == _lastSeq + 1)
                        {
                            Send(_held[next]);
                        }
                    }
                    _held.RemoveRange(0, next);
                    if (_held.Count == 0)
                    {
                        _catchingUp = false;
                        return;
                    }
                    if (kept.Count == 0)
                    {
                        foreach (var @event in _held)
                        {
                            SendAfterGap(@event);
                        }
                        _held.Clear();
                        _catchingUp = false;
                        return;
                    }
                }
            }
        }
        catch (RedisException ex)
        {
            LogSessionStoreFailed(logger, ex, _sessionId);
            lock (_gate)
            {
                SendOwn(Error(null, 503, "The session's earlier events could not be read; resume again.", "api_error", "sessions_unavailable"));
                _held.Clear();
                _catchingUp = false;
            }
        }
    }

    /// <summary>Sends an event that may not follow the last one sent, saying what was no longer kept in between.</summary>
    private void SendAfterGap(SessionEvent @event)
    {
        if (@event.Seq > _lastSeq + 1)
        {
            var (from, to) = (_lastSeq + 1, @event.Seq - 1);
            SendOwn(Error(null, 410, $"Events {from} to {to} of this session are no longer kept.", "invalid_request_error", "events_expired"));
        }
        Send(@event);
    }

    /// <summary>A session event, as the next the socket has: under <see cref="_gate"/>.</summary>
    private void Send(SessionEvent @event)
    {
        _lastSeq = @event.Seq;
        Account(_queue.Enqueue(@event));
    }

    /// <summary>An event of this connection's own (the session's start, a pong, a refusal): not kept, carrying the last seq sent.</summary>
    private void SendOwn(SessionEvent @event) => Account(_queue.Enqueue(@event));

    private void Account(SendQueue.Outcome outcome)
    {
        if (outcome == SendQueue.Outcome.Joined)
        {
            metrics.Joined();
        }
        else if (outcome == SendQueue.Outcome.Overflowed)
        {
            // The send in flight (and the close after it) get this long before the socket is dropped.
            metrics.ClosedSlowClient();
            _sending.Token.Register(socket.Abort);
            _sending.CancelAfter(options.SlowClientCloseTimeout);
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            while (await _queue.DequeueAsync(CancellationToken.None) is { } @event)
            {
                await socket.SendAsync(@event.Json, WebSocketMessageType.Text, endOfMessage: true, _sending.Token);
                metrics.Sent(@event);
            }
            if (_queue.Overflowed)
            {
                await socket.CloseOutputAsync((WebSocketCloseStatus)RealtimeProtocol.SlowClientCloseStatus, "The client did not keep up with the stream.", _sending.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string? reason)
    {
        using var timeout = new CancellationTokenSource(options.SlowClientCloseTimeout);
        try
        {
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }

    private SessionEvent SessionStarted(bool resumed) => Own(SessionEvent.Session, null, json =>
    {
        json.WriteString("session_id", _sessionId);
        json.WriteString("replica", hub.Replica);
        json.WriteBoolean("resumed", resumed);
    });

    private SessionEvent Own(string type, string? requestId, Action<Utf8JsonWriter> write) => SessionEvent.Create(_lastSeq, type, requestId, producedAt: 0, write);

    private SessionEvent Invalid(string? requestId, string message, string code) => Error(requestId, 400, message, "invalid_request_error", code);

    private SessionEvent Error(string? requestId, int status, string message, string type, string code) =>
        SessionEvent.CreateError(_lastSeq, requestId, status, message, type, code);

    public void Dispose() => _sending.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}'s store or bus failed for a socket.")]
    private static partial void LogSessionStoreFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A socket could not leave session {SessionId} cleanly.")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception, string sessionId);
}
