using System.Collections.Concurrent;
using NATS.Client.Core;

namespace Realtime.Sessions;

/// <summary>
/// The sessions of this replica's sockets, and the generations it runs. A generation's event is written to Redis
/// (<see cref="SessionStore"/>), handed to this replica's sockets on its session, and once kept, published on NATS
/// (<c>realtime.session.{id}.events</c>) for the sockets other replicas hold on it; each replica listens on the
/// sessions its sockets follow. A socket that starts listening and then reads what was kept misses nothing
/// (<see cref="ChatConnection"/>): here, its read goes to Redis on the connection the write went on, after it; elsewhere,
/// it hears of an event only once the event is kept. Cancels, and sockets joining and leaving, travel on
/// <c>realtime.session.{id}.control</c> to the generation's replica.
/// </summary>
public sealed class SessionHub : IAsyncDisposable
{
    public const string Cancel = "cancel";
    public const string Joined = "joined";
    public const string Left = "left";

    private const string ProducedHeader = "produced";

    private readonly INatsConnection _nats;
    // Events go out and come in on a connection of their own that NATS does not echo: a replica's own events reached
    // its sockets before they were published, and are not worth a round trip back.
    private readonly NatsConnection _events;
    private readonly SessionStore _store;
    private readonly RealtimeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Feed> _feeds = new();
    private readonly Lock _feedsGate = new();

    public SessionHub(INatsConnection nats, SessionStore store, RealtimeMetrics metrics, ILogger<SessionHub> logger)
    {
        (_nats, _store, _metrics, _logger) = (nats, store, metrics, logger);
        _events = new NatsConnection(nats.Opts with { Echo = false, Name = $"{nats.Opts.Name}-events" });
    }

    /// <summary>This replica, as its published events name it.</summary>
    public string Replica { get; } = Guid.NewGuid().ToString("N")[..12];

    public static string EventsSubject(string sessionId) => $"realtime.session.{sessionId}.events";

    public static string ControlSubject(string sessionId) => $"realtime.session.{sessionId}.control";

    /// <summary>
    /// Hands the session's events to <paramref name="connection"/> from now on, whichever replica generates them:
    /// returns once this replica is listening for them.
    /// </summary>
    public async Task JoinAsync(string sessionId, ChatConnection connection)
    {
        Feed feed;
        lock (_feedsGate)
        {
            feed = _feeds.GetOrAdd(sessionId, id => new Feed(_events, _metrics, _logger, id));
            feed.Connections = [.. feed.Connections, connection];
        }
        await feed.Listening;
        await _store.CountSocketAsync(sessionId, +1);
        await SendControlAsync(sessionId, Joined);
    }

    public async Task LeaveAsync(string sessionId, ChatConnection connection)
    {
        Feed? ended = null;
        lock (_feedsGate)
        {
            if (_feeds.TryGetValue(sessionId, out var feed))
            {
                feed.Connections = [.. feed.Connections.Where(c => c != connection)];
                if (feed.Connections.Length == 0)
                {
                    _feeds.TryRemove(sessionId, out _);
                    ended = feed;
                }
            }
        }
        if (ended is not null)
        {
            await ended.DisposeAsync();
        }
        await _store.CountSocketAsync(sessionId, -1);
        await SendControlAsync(sessionId, Left);
    }

    /// <summary>
    /// A generation's event: written to Redis, to this replica's sockets without waiting for Redis's answer, and once
    /// kept, to the others'.
    /// </summary>
    public async Task PublishAsync(string sessionId, SessionEvent @event)
    {
        var keeping = _store.AppendAsync(sessionId, @event);
        if (_feeds.TryGetValue(sessionId, out var feed))
        {
            feed.Deliver(@event);
        }
        await keeping;
        var headers = new NatsHeaders { [ProducedHeader] = @event.ProducedAt.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await _events.PublishAsync(EventsSubject(sessionId), @event.Json, headers);
    }

    public ValueTask SendControlAsync(string sessionId, string message) => _nats.PublishAsync(ControlSubject(sessionId), message);

    public ValueTask DisposeAsync() => _events.DisposeAsync();

    /// <summary>One session's sockets on this replica, and its subscription to the events other replicas generate.</summary>
    private sealed class Feed : IAsyncDisposable
    {
        private readonly INatsConnection _nats;
        private readonly RealtimeMetrics _metrics;
        private readonly ILogger _logger;
        private readonly string _sessionId;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _listening;

        public Feed(INatsConnection nats, RealtimeMetrics metrics, ILogger logger, string sessionId)
        {
            (_nats, _metrics, _logger, _sessionId) = (nats, metrics, logger, sessionId);
            var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Listening = subscribed.Task;
            _listening = ListenAsync(subscribed);
            metrics.SessionFeeds(+1);
        }

        /// <summary>Copied on change, read without a lock.</summary>
        public ChatConnection[] Connections { get; set; } = [];

        public Task Listening { get; }

        public void Deliver(SessionEvent @event)
        {
            foreach (var connection in Connections)
            {
                connection.Deliver(_sessionId, @event);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _listening;
            _stop.Dispose();
            _metrics.SessionFeeds(-1);
        }

        private async Task ListenAsync(TaskCompletionSource subscribed)
        {
            try
            {
                await using var subscription = await _nats.SubscribeCoreAsync<byte[]>(EventsSubject(_sessionId), cancellationToken: _stop.Token);
                subscribed.TrySetResult();
                await foreach (var message in subscription.Msgs.ReadAllAsync(_stop.Token))
                {
                    if (message.Data is null)
                    {
                        continue;
                    }
                    var produced = 0L;
                    if (message.Headers?.TryGetValue(ProducedHeader, out var producedAt) == true)
                    {
                        long.TryParse(producedAt.ToString(), System.Globalization.CultureInfo.InvariantCulture, out produced);
                    }
                    Deliver(SessionEvent.Parse(message.Data, produced));
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                subscribed.TrySetCanceled();
            }
            catch (Exception ex)
            {
                // Without the subscription the sockets still catch up from Redis at their next event or resume.
                _logger.LogWarning(ex, "Listening for session {SessionId}'s events failed.", _sessionId);
                subscribed.TrySetResult();
            }
        }
    }
}
