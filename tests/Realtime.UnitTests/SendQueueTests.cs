using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Sessions;

namespace Realtime.UnitTests;

public sealed class SendQueueTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RealtimeMetrics _metrics;

    public SendQueueTests() => _metrics = new RealtimeMetrics(_services.GetRequiredService<IMeterFactory>());

    [Fact]
    public async Task ConsecutiveDeltasOfARequest_ThatWait_AreJoined_LosingNoText()
    {
        var queue = new SendQueue(maxBytes: 64 * 1024, maxEvents: 16, _metrics);

        queue.Enqueue(SessionEvent.CreateDelta(1, "r1", "Hello", 0)).ShouldBe(SendQueue.Outcome.Queued);
        queue.Enqueue(SessionEvent.CreateDelta(2, "r1", ", ", 0)).ShouldBe(SendQueue.Outcome.Joined);
        queue.Enqueue(SessionEvent.CreateDelta(3, "r1", "world", 0)).ShouldBe(SendQueue.Outcome.Joined);
        queue.Enqueue(Done(4)).ShouldBe(SendQueue.Outcome.Queued);
        queue.Enqueue(SessionEvent.CreateDelta(5, "r2", "again", 0)).ShouldBe(SendQueue.Outcome.Queued);

        var joined = JsonDocument.Parse((await queue.DequeueAsync(TestContext.Current.CancellationToken))!.Json).RootElement;
        joined.GetProperty("text").GetString().ShouldBe("Hello, world");
        joined.GetProperty("seq").GetInt64().ShouldBe(3);
        joined.GetProperty("first_seq").GetInt64().ShouldBe(1);
        (await queue.DequeueAsync(TestContext.Current.CancellationToken))!.Type.ShouldBe(SessionEvent.Done);
        var single = JsonDocument.Parse((await queue.DequeueAsync(TestContext.Current.CancellationToken))!.Json).RootElement;
        single.TryGetProperty("first_seq", out _).ShouldBeFalse();
    }

    [Fact]
    public void DeltasOfAnotherRequest_OrNotNext_AreNotJoined()
    {
        var queue = new SendQueue(maxBytes: 64 * 1024, maxEvents: 16, _metrics);

        queue.Enqueue(SessionEvent.CreateDelta(1, "r1", "a", 0));

        queue.Enqueue(SessionEvent.CreateDelta(2, "r2", "b", 0)).ShouldBe(SendQueue.Outcome.Queued);
        queue.Enqueue(SessionEvent.CreateDelta(4, "r2", "c", 0)).ShouldBe(SendQueue.Outcome.Queued);
    }

    [Fact]
    public async Task MoreBytesThanTheBound_Overflow_EmptyingAndClosingTheQueue()
    {
        var queue = new SendQueue(maxBytes: 4 * 1024, maxEvents: 1_000, _metrics);
        var outcomes = new List<SendQueue.Outcome>();

        // Tool events are never joined: only the bytes bound them.
        for (var seq = 1; seq <= 10; seq++)
        {
            outcomes.Add(queue.Enqueue(Tool(seq, new string('x', 1_000))));
        }

        outcomes.ShouldContain(SendQueue.Outcome.Overflowed);
        outcomes.SkipWhile(outcome => outcome != SendQueue.Outcome.Overflowed).Skip(1).ShouldAllBe(outcome => outcome == SendQueue.Outcome.Closed);
        queue.Overflowed.ShouldBeTrue();
        (await queue.DequeueAsync(TestContext.Current.CancellationToken)).ShouldBeNull();
    }

    [Fact]
    public void JoinedDeltas_CountTheirBytes_SoAStalledSocketStillOverflows()
    {
        var queue = new SendQueue(maxBytes: 8 * 1024, maxEvents: 1_000, _metrics);
        var outcome = SendQueue.Outcome.Queued;

        for (var seq = 1; seq <= 100 && outcome != SendQueue.Outcome.Overflowed; seq++)
        {
            outcome = queue.Enqueue(SessionEvent.CreateDelta(seq, "r1", new string('y', 500), 0));
        }

        outcome.ShouldBe(SendQueue.Outcome.Overflowed);
    }

    [Fact]
    public void MoreEventsThanTheBound_Overflow()
    {
        var queue = new SendQueue(maxBytes: 1024 * 1024, maxEvents: 3, _metrics);

        for (var seq = 1; seq <= 3; seq++)
        {
            queue.Enqueue(Done(seq)).ShouldBe(SendQueue.Outcome.Queued);
        }

        queue.Enqueue(Done(4)).ShouldBe(SendQueue.Outcome.Overflowed);
    }

    [Fact]
    public async Task AWaitingReader_GetsTheNextEvent_AndNullOnClose()
    {
        var queue = new SendQueue(maxBytes: 1024, maxEvents: 4, _metrics);
        var next = queue.DequeueAsync(TestContext.Current.CancellationToken).AsTask();

        queue.Enqueue(Done(1));
        (await next)!.Seq.ShouldBe(1);
        var after = queue.DequeueAsync(TestContext.Current.CancellationToken).AsTask();
        queue.Close();

        (await after).ShouldBeNull();
        queue.Overflowed.ShouldBeFalse();
    }

    public void Dispose() => _services.Dispose();

    private static SessionEvent Done(long seq) =>
        SessionEvent.Create(seq, SessionEvent.Done, "r1", 0, json => json.WriteString("finish_reason", "stop"));

    private static SessionEvent Tool(long seq, string payload) =>
        SessionEvent.Create(seq, SessionEvent.Tool, "r1", 0, json => json.WriteString("step", payload));
}
