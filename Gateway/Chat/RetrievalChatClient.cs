using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Gateway.Chat;

/// <summary>
/// The <c>retrieval</c> extension: grounds the conversation in the tenant's documents nearest to its last question,
/// as numbered sources before it, and keeps them as the answer's citations.
/// </summary>
public sealed class RetrievalChatClient(IChatClient inner, KnowledgeClient knowledge) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await base.GetResponseAsync(await GroundAsync(messages, ChatCall.Of(options), cancellationToken), options, cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var grounded = await GroundAsync(messages, ChatCall.Of(options), cancellationToken);
        await foreach (var update in base.GetStreamingResponseAsync(grounded, options, cancellationToken))
        {
            yield return update;
        }
    }

    private async Task<IEnumerable<ChatMessage>> GroundAsync(IEnumerable<ChatMessage> messages, ChatCall call, CancellationToken cancellationToken)
    {
        if (call.Request.Retrieval is not { } retrieval || call.Request.Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text is not { Length: > 0 } question)
        {
            return messages;
        }
        call.Citations = await knowledge.SourcesForAsync(question, retrieval.Top, cancellationToken);
        return call.Citations.Count > 0 ? KnowledgeClient.Ground([.. messages], call.Citations) : messages;
    }
}
