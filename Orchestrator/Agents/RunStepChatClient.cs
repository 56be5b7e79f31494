using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Orchestrator.Agents;

/// <summary>
/// Below the function invocation loop, around each model call of a run: limits before, the step recorded after, and
/// the model's text handed to live followers as it streams.
/// </summary>
public sealed class RunStepChatClient(IChatClient inner, RunSession session, RunJournal journal) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var conversation = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        session.BeforeModelCall(conversation);
        var step = session.Run.ModelCalls + 1;
        List<ChatResponseUpdate> updates = [];
        // The step's duration is the model's own: the time spent waiting for its updates, not handing them on.
        var inModel = TimeSpan.Zero;
        await using var stream = base.GetStreamingResponseAsync(conversation, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var waiting = Stopwatch.GetTimestamp();
            var more = await stream.MoveNextAsync();
            inModel += Stopwatch.GetElapsedTime(waiting);
            if (!more)
            {
                break;
            }
            var update = stream.Current;
            updates.Add(update);
            if (update.Text is { Length: > 0 } text && !session.WritesDrafts)
            {
                await journal.DeltaAsync(session.Run.Id, step, text);
            }
            yield return update;
        }
        await session.AfterModelCallAsync(conversation, updates.ToChatResponse(), inModel.TotalMilliseconds, cancellationToken);
    }
}
