namespace Realtime.Sessions;

/// <summary>
/// The events a connection's socket has not taken yet, bounded in bytes and in events. A delta that finds the one
/// before it still waiting is joined onto it, so a socket that falls behind gets fewer, larger deltas and loses no
/// text; one that falls further behind than the bounds overflows the queue, which is then emptied and closed, and
/// the connection closed with 1013 (<see cref="ChatConnection"/>). What a connection holds never exceeds the bounds.
/// </summary>
public sealed class SendQueue(int maxBytes, int maxEvents, RealtimeMetrics metrics)
{
    public enum Outcome
    {
        Queued,
        Joined,
        Overflowed,
        Closed,
    }

    private readonly Lock _gate = new();
    private readonly LinkedList<SessionEvent> _events = new();
    private int _bytes;
    private bool _closed;
    private TaskCompletionSource? _waiting;

    /// <summary>Whether the queue was closed because its socket fell too far behind.</summary>
    public bool Overflowed { get; private set; }

    public Outcome Enqueue(SessionEvent @event)
    {
        Outcome outcome;
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            if (_closed)
            {
                return Outcome.Closed;
            }
            var before = (_bytes, _events.Count);
            if (_events.Last is { } tail && tail.Value.CanJoin(@event))
            {
                var joined = SessionEvent.Join(tail.Value, @event);
                _bytes += joined.Size - tail.Value.Size;
                tail.Value = joined;
                outcome = Outcome.Joined;
            }
            else
            {
                _events.AddLast(@event);
                _bytes += @event.Size;
                outcome = Outcome.Queued;
            }
            if (_bytes > maxBytes || _events.Count > maxEvents)
            {
                _events.Clear();
                _bytes = 0;
                _closed = true;
                Overflowed = true;
                outcome = Outcome.Overflowed;
            }
            metrics.Queued(_bytes - before._bytes, _events.Count - before.Count);
            waiting = _waiting;
            _waiting = null;
        }
        waiting?.TrySetResult();
        return outcome;
    }

    /// <summary>The next event to send; null once the queue is closed and empty.</summary>
    public async ValueTask<SessionEvent?> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_events.First is { } first)
                {
                    _events.RemoveFirst();
                    _bytes -= first.Value.Size;
                    metrics.Queued(-first.Value.Size, -1);
                    return first.Value;
                }
                if (_closed)
                {
                    return null;
                }
                _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiting.Task;
            }
            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes no more events and drops those waiting: the connection is ending.</summary>
    public void Close()
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            metrics.Queued(-_bytes, -_events.Count);
            _events.Clear();
            _bytes = 0;
            _closed = true;
            waiting = _waiting;
            _waiting = null;
        }
        waiting?.TrySetResult();
    }
}
