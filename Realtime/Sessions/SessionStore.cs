using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Realtime.Sessions;

/// <summary>
/// A session in Redis, where every replica finds it: its tenant and key, how many sockets follow it, its last
/// sequence number, the lock of the one generation it runs at a time, and its events: a stream capped at
/// <see cref="RealtimeOptions.SessionEventsLimit"/> whose entry ids are the events' seqs (<c>0-seq</c>), so a
/// resume reads exactly what follows the seq it names. Everything lapses <see cref="RealtimeOptions.SessionTtl"/>
/// after the session's last activity.
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer redis, IOptions<RealtimeOptions> options)
{
    private static readonly RedisValue TenantField = "tenant";
    private static readonly RedisValue KeyField = "key";
    private static readonly RedisValue SeqField = "seq";
    private static readonly RedisValue SocketsField = "sockets";
    private static readonly RedisValue EventField = "e";

    public sealed record Session(Guid TenantId, Guid KeyId);

    public async Task CreateAsync(string sessionId, Guid tenantId, Guid keyId)
    {
        var database = redis.GetDatabase();
        var key = SessionKey(sessionId);
        await database.HashSetAsync(key, [new(TenantField, tenantId.ToString()), new(KeyField, keyId.ToString())]);
        await database.KeyExpireAsync(key, options.Value.SessionTtl);
    }

    /// <summary>The session, or null when there is none (or it lapsed).</summary>
    public async Task<Session?> FindAsync(string sessionId)
    {
        var fields = await redis.GetDatabase().HashGetAsync(SessionKey(sessionId), [TenantField, KeyField]);
        return Guid.TryParse(fields[0].ToString(), out var tenantId) && Guid.TryParse(fields[1].ToString(), out var keyId) ? new Session(tenantId, keyId) : null;
    }

    /// <summary>Counts a socket joining (+1) or leaving (-1) the session; returns how many follow it now.</summary>
    public async Task<long> CountSocketAsync(string sessionId, int change)
    {
        var database = redis.GetDatabase();
        var key = SessionKey(sessionId);
        var sockets = await database.HashIncrementAsync(key, SocketsField, change);
        await database.KeyExpireAsync(key, options.Value.SessionTtl);
        return sockets;
    }

    public async Task<long> SocketsAsync(string sessionId) =>
        (long)await redis.GetDatabase().HashGetAsync(SessionKey(sessionId), SocketsField);

    /// <summary>Takes the session's one generation for <paramref name="owner"/>; false while another runs.</summary>
    public Task<bool> TryBeginGenerationAsync(string sessionId, string owner) =>
        redis.GetDatabase().LockTakeAsync(GenerationKey(sessionId), owner, options.Value.MaxGenerationTime);

    /// <summary>The seq the session's next event follows: the higher of the one saved at a generation's end and the last kept.</summary>
    public async Task<long> LastSeqAsync(string sessionId)
    {
        var database = redis.GetDatabase();
        var saved = (long)await database.HashGetAsync(SessionKey(sessionId), SeqField);
        var last = await database.StreamRangeAsync(EventsKey(sessionId), "-", "+", count: 1, messageOrder: Order.Descending);
        return Math.Max(saved, last.Length > 0 ? SeqOf(last[0].Id) : 0);
    }

    public async Task EndGenerationAsync(string sessionId, string owner, long lastSeq)
    {
        var database = redis.GetDatabase();
        await database.HashSetAsync(SessionKey(sessionId), SeqField, lastSeq);
        await database.KeyExpireAsync(SessionKey(sessionId), options.Value.SessionTtl);
        await database.KeyExpireAsync(EventsKey(sessionId), options.Value.SessionTtl);
        await database.LockReleaseAsync(GenerationKey(sessionId), owner);
    }

    public async Task AppendAsync(string sessionId, SessionEvent @event)
    {
        var database = redis.GetDatabase();
        var key = EventsKey(sessionId);
        await database.StreamAddAsync(key, EventField, @event.Json, $"0-{@event.Seq}", options.Value.SessionEventsLimit, useApproximateMaxLength: true);
        // The first event creates the stream: it gets its lifetime then, again every thousand events and at each generation's end.
        if (@event.Seq % 1000 == 1)
        {
            await database.KeyExpireAsync(key, options.Value.SessionTtl);
        }
    }

    /// <summary>Up to <paramref name="count"/> kept events after <paramref name="afterSeq"/>, in order.</summary>
    public async Task<IReadOnlyList<SessionEvent>> ReadAfterAsync(string sessionId, long afterSeq, int count)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(EventsKey(sessionId), $"0-{afterSeq + 1}", "+", count);
        return [.. entries.Select(entry => SessionEvent.Parse((byte[])entry[EventField]!, producedAt: 0))];
    }

    private static long SeqOf(RedisValue id) => long.Parse(id.ToString().AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);

    private static RedisKey SessionKey(string sessionId) => $"realtime:session:{sessionId}";

    private static RedisKey EventsKey(string sessionId) => $"realtime:session:{sessionId}:events";

    private static RedisKey GenerationKey(string sessionId) => $"realtime:session:{sessionId}:generation";
}
