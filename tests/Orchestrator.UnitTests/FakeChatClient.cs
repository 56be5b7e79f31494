using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Orchestrator.UnitTests;

/// <summary>A provider that answers as told: with a text, after a delay, or with an exception; it counts its calls.</summary>
public sealed class FakeChatClient(Func<int, CancellationToken, Task<ChatResponse>> respond) : IChatClient
{
    private int _calls;

    public int Calls => _calls;

    public ChatOptions? LastOptions { get; private set; }

    /// <summary>Whether a call saw its cancellation token cancelled (a hedge that lost, say).</summary>
    public bool Cancelled { get; private set; }

    public static FakeChatClient Answering(string text, TimeSpan? delay = null, UsageDetails? usage = null) => new(async (_, token) =>
    {
        if (delay is { } wait)
        {
            await Task.Delay(wait, token);
        }
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = ChatFinishReason.Stop, Usage = usage };
    });

    public static FakeChatClient Failing(Exception exception) => new((_, _) => Task.FromException<ChatResponse>(exception));

    /// <summary>Never answers: waits until its call is cancelled.</summary>
    public static FakeChatClient Hanging() => new(async (_, token) =>
    {
        await Task.Delay(Timeout.Infinite, token);
        throw new InvalidOperationException("Unreachable.");
    });

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        LastOptions = options;
        using var watch = cancellationToken.Register(() => Cancelled = true);
        return await respond(Interlocked.Increment(ref _calls), cancellationToken);
    }

    // The answer, word by word: the first update arrives when the whole answer would.
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var word in response.Text.Split(' '))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
        }
        yield return new ChatResponseUpdate { FinishReason = response.FinishReason };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
