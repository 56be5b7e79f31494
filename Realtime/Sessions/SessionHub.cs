using System.Collections.Concurrent;
using NATS.Client.Core;

namespace Realtime.Sessions;

/// <summary>
/// The sessions of this replica's sockets, and the generations it runs. A generation's event is kept in Redis first
/// (<see cref="SessionStore"/>), then handed to this replica's sockets on its session, then published on NATS
/// (<c>realtime.session.{id}.events</c>) for the sockets other replicas hold on it; each replica listens on the
/// sessions its sockets follow. Since an event is kept before anyone sees it, a socket that starts listening and then
/// reads what was kept misses nothing (<see cref="ChatConnection"/>). Cancels, and sockets joining and leaving, travel on
/// <c>realtime.session.{id}.control</c> to the generation's replica.
/// </summary>
public sealed class SessionHub(INatsConnection nats, SessionStore store, RealtimeMetrics metrics, ILogger<SessionHub> logger)
{
    public const string Cancel = "cancel";
    public const string Joined = "joined";
    public const string Left = "left";

    private const string OriginHeader = "origin";
    private const string ProducedHeader = "produced";

    private readonly ConcurrentDictionary<string, Feed> _feeds = new();
    private readonly Lock _feedsGate = new();

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
            feed = _feeds.GetOrAdd(sessionId, id => new Feed(nats, Replica, metrics, logger, id));
            feed.Connections = [.. feed.Connections, connection];
        }
        await feed.Listening;
        await store.CountSocketAsync(sessionId, +1);
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
        await store.CountSocketAsync(sessionId, -1);
        await SendControlAsync(sessionId, Left);
    }

    /// <summary>A generation's event: kept, then to this replica's sockets, then to the others'.</summary>
    public async Task PublishAsync(string sessionId, SessionEvent @event)
    {
        await store.AppendAsync(sessionId, @event);
        if (_feeds.TryGetValue(sessionId, out var feed))
        {
            feed.Deliver(@event);
        }
        var headers = new NatsHeaders { [OriginHeader] = Replica, [ProducedHeader] = @event.ProducedAt.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await nats.PublishAsync(EventsSubject(sessionId), @event.Json, headers);
    }

    public ValueTask SendControlAsync(string sessionId, string message) => nats.PublishAsync(ControlSubject(sessionId), message);

    /// <summary>One session's sockets on this replica, and its subscription to the events other replicas generate.</summary>
    private sealed class Feed : IAsyncDisposable
    {
        private readonly INatsConnection _nats;
        private readonly string _replica;
        private readonly RealtimeMetrics _metrics;
        private readonly ILogger _logger;
        private readonly string _sessionId;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _listening;

        public Feed(INatsConnection nats, string replica, RealtimeMetrics metrics, ILogger logger, string sessionId)
        {
            (_nats, _replica, _metrics, _logger, _sessionId) = (nats, replica, metrics, logger, sessionId);
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
                    // This replica's own events reached its sockets before they were published.
                    var headers = message.Headers;
                    if (message.Data is null || headers is null || !headers.TryGetValue(OriginHeader, out var origin) || origin.ToString() == _replica)
                    {
                        continue;
                    }
                    headers.TryGetValue(ProducedHeader, out var producedAt);
                    long.TryParse(producedAt.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var produced);
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
