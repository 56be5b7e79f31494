using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Gateway.Chat;

/// <summary>
/// For <c>model: "auto"</c>, asks the Router for a route under the tenant's policy; a request that names its models
/// already has one. Decided only here, after the caches: a cached answer costs no decision.
/// </summary>
public sealed class AutoRoutingChatClient(IChatClient inner, RouterClient router) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await DecideAsync(ChatCall.Of(options), cancellationToken);
        return await base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await DecideAsync(ChatCall.Of(options), cancellationToken);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            yield return update;
        }
    }

    private async Task DecideAsync(ChatCall call, CancellationToken cancellationToken)
    {
        if (call.Route is not null)
        {
            return;
        }
        var (decision, error) = await router.DecideAsync(RoutePlanning.DescribeForRouter(call.Key, call.Request, call.InputTokenEstimate), cancellationToken);
        call.Route = decision?.Route ?? throw new ChatCallException(error!);
    }
}
