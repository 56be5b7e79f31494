using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Realtime.Sessions;

/// <summary>
/// One server event of the <c>/ws/chat</c> protocol as JSON, with what delivery needs to know of it: its sequence
/// number, type and request, and when its provider chunk arrived. A delta keeps its text, so consecutive deltas a
/// slow socket has not taken yet can be joined into one (<see cref="SendQueue"/>).
/// </summary>
public sealed class SessionEvent
{
    public const string Delta = "delta";
    public const string Tool = "tool";
    public const string Usage = "usage";
    public const string Done = "done";
    public const string Error = "error";
    public const string Session = "session";
    public const string Pong = "pong";

    // What a delta's JSON adds to its text: type, seq, request id.
    private const int DeltaOverhead = 96;

    private byte[]? _json;

    private SessionEvent(long seq, string type, string? requestId, long producedAt)
    {
        Seq = seq;
        Type = type;
        RequestId = requestId;
        ProducedAt = producedAt;
    }

    /// <summary>Its place in the session; for an event of the connection (<c>session</c>, <c>pong</c>), the last session event sent before it.</summary>
    public long Seq { get; }

    public string Type { get; }

    public string? RequestId { get; }

    /// <summary>A delta's text; null for other events.</summary>
    public string? Text { get; private init; }

    /// <summary>The first of the deltas joined into this one (its own seq when it is one delta).</summary>
    public long FirstSeq { get; private init; }

    /// <summary>When the provider's chunk reached Realtime (<see cref="Now"/>), for the delivery delay.</summary>
    public long ProducedAt { get; }

    /// <summary>The bytes it holds while it waits to be sent.</summary>
    public int Size => _json?.Length ?? Encoding.UTF8.GetByteCount(Text ?? "") + DeltaOverhead;

    /// <summary>The event as sent, stored and published.</summary>
    public ReadOnlyMemory<byte> Json => _json ??= Write(Seq, Type, RequestId, json =>
    {
        if (FirstSeq != Seq)
        {
            json.WriteNumber("first_seq", FirstSeq);
        }
        json.WriteString("text", Text);
    });

    /// <summary>Microseconds since the Unix epoch: comparable between the replicas of one machine, and close across machines.</summary>
    public static long Now() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static SessionEvent CreateDelta(long seq, string requestId, string text, long producedAt) =>
        new(seq, Delta, requestId, producedAt) { Text = text, FirstSeq = seq };

    /// <summary>An event of any other type, its properties after <c>type</c>, <c>seq</c> and <c>request_id</c> written by <paramref name="write"/>.</summary>
    public static SessionEvent Create(long seq, string type, string? requestId, long producedAt, Action<Utf8JsonWriter> write) =>
        new(seq, type, requestId, producedAt) { _json = Write(seq, type, requestId, write), FirstSeq = seq };

    /// <summary>An <c>error</c> event: the status an HTTP call would have had, when to retry if known, and OpenAI's error.</summary>
    public static SessionEvent CreateError(long seq, string? requestId, int status, string message, string type, string? code, double? retryAfter = null) =>
        Create(seq, Error, requestId, Now(), json =>
        {
            json.WriteNumber("status", status);
            if (retryAfter is { } seconds)
            {
                json.WriteNumber("retry_after", seconds);
            }
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            json.WriteNull("param");
            json.WriteString("code", code);
            json.WriteEndObject();
        });

    /// <summary>Two consecutive deltas of one request as one: the text of both, the seq of the later.</summary>
    public static SessionEvent Join(SessionEvent earlier, SessionEvent later) =>
        new(later.Seq, Delta, later.RequestId, earlier.ProducedAt) { Text = earlier.Text + later.Text, FirstSeq = earlier.FirstSeq };

    /// <summary>Whether <paramref name="later"/> may be joined onto this event.</summary>
    public bool CanJoin(SessionEvent later) =>
        Type == Delta && later.Type == Delta && later.Seq == Seq + 1 && string.Equals(RequestId, later.RequestId, StringComparison.Ordinal);

    /// <summary>An event as another replica published or Redis kept it.</summary>
    public static SessionEvent Parse(ReadOnlyMemory<byte> json, long producedAt)
    {
        var reader = new Utf8JsonReader(json.Span);
        string? type = null, requestId = null, text = null;
        long seq = 0, firstSeq = 0;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("type"u8))
            {
                type = reader.GetString();
            }
            else if (name.SequenceEqual("seq"u8))
            {
                seq = reader.GetInt64();
            }
            else if (name.SequenceEqual("first_seq"u8))
            {
                firstSeq = reader.GetInt64();
            }
            else if (name.SequenceEqual("request_id"u8))
            {
                requestId = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (name.SequenceEqual("text"u8))
            {
                text = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }
        if (type is null)
        {
            throw new JsonException("A session event without a type.");
        }
        return new SessionEvent(seq, type, requestId, producedAt)
        {
            Text = type == Delta ? text : null,
            FirstSeq = firstSeq == 0 ? seq : firstSeq,
            _json = json.ToArray(),
        };
    }

    private static byte[] Write(long seq, string type, string? requestId, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteNumber("seq", seq);
            if (requestId is not null)
            {
                json.WriteString("request_id", requestId);
            }
            write(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
