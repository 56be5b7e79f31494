using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Gateway.Chat;

/// <summary>
/// The end of the pipeline: the Orchestrator runs the call's route against the providers. Meters the tokens and the
/// model that answered in the call's usage, and hands the route on with the answer (<see cref="RouteInfo"/>).
/// </summary>
public sealed class OrchestratorChatClient(OrchestratorClient orchestrator) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options);
        var result = await orchestrator.ChatAsync(Execution(call, messages), cancellationToken);
        Answered(call, result.Route);
        if (result.Error is { } error)
        {
            throw new ChatCallException(error, result.Route);
        }
        var response = result.Value!;
        Meter(call, response.Usage);
        result.Route?.AttachTo(response.AdditionalProperties ??= []);
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options);
        var (stream, error, route) = await orchestrator.ChatStreamAsync(Execution(call, messages), cancellationToken);
        Answered(call, route);
        if (error is not null)
        {
            throw new ChatCallException(error, route);
        }
        using (stream)
        {
            await using var lines = OrchestratorClient.ReadLinesAsync(stream!, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var first = true;
            var metered = false;
            var streamed = 0L;
            try
            {
                while (await NextAsync(lines, route, cancellationToken) is { } update)
                {
                    foreach (var usage in update.Contents.OfType<UsageContent>())
                    {
                        Meter(call, usage.Details);
                        metered = true;
                    }
                    if (first)
                    {
                        route?.AttachTo(update.AdditionalProperties ??= []);
                        first = false;
                    }
                    streamed += update.Text.Length;
                    yield return update;
                }
            }
            finally
            {
                // A stream cut off before its usage came (the client left, a generation was cancelled, the stream
                // broke after it began) is billed for what it streamed, estimated as the input is: four characters a token.
                if (!metered && (streamed > 0 || cancellationToken.IsCancellationRequested))
                {
                    call.Usage.InputTokens = call.InputTokenEstimate;
                    call.Usage.OutputTokens = (streamed + 3) / 4;
                }
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static ChatExecutionRequest Execution(ChatCall call, IEnumerable<ChatMessage> messages) =>
        new(call.Route ?? throw new InvalidOperationException("The call reached execution without a route."), messages as IList<ChatMessage> ?? [.. messages], call.Request.Options);

    /// <summary>The next update, or null at the end; a failure the Orchestrator reports, or a broken stream, ends the call.</summary>
    private static async Task<ChatResponseUpdate?> NextAsync(IAsyncEnumerator<ChatStreamLine> lines, RouteInfo? route, CancellationToken cancellationToken)
    {
        try
        {
            if (!await lines.MoveNextAsync())
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new ChatCallException(new ExecutionError(StatusCodes.Status502BadGateway, "The stream from the orchestrator broke off.", "api_error", "orchestrator_error"), route);
        }
        return lines.Current.Error is { } failure ? throw new ChatCallException(failure, route) : lines.Current.Update;
    }

    /// <summary>The model that answered is the one metered and priced, not the first candidate.</summary>
    private static void Answered(ChatCall call, RouteInfo? route)
    {
        if (route?.Model is { } model)
        {
            call.Usage.Model = model;
        }
    }

    private static void Meter(ChatCall call, UsageDetails? usage)
    {
        call.Usage.InputTokens = usage?.InputTokenCount ?? 0;
        call.Usage.OutputTokens = usage?.OutputTokenCount ?? 0;
    }
}
