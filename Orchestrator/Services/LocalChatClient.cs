using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace Orchestrator.Services;

/// <summary>
/// The built-in keyless model, so a fresh platform answers end to end. It is deterministic and says what it is:
/// what it understood of the request, which providers are configured, and how to add a real one.
/// </summary>
public sealed class LocalChatClient(ModelCatalog catalog, TokenCounter tokens) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var conversation = messages.ToList();
        var reply = Reply(conversation, options);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply))
        {
            ResponseId = $"chatcmpl-local-{Guid.NewGuid():N}",
            ModelId = options?.ModelId ?? ModelCatalog.LocalChatModel,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = ChatFinishReason.Stop,
            Usage = Usage(conversation, reply),
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var conversation = messages.ToList();
        var reply = Reply(conversation, options);
        var responseId = $"chatcmpl-local-{Guid.NewGuid():N}";
        var modelId = options?.ModelId ?? ModelCatalog.LocalChatModel;
        // Word by word, as a model streams: enough to see tokens arrive one after another.
        var start = 0;
        while (start < reply.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = reply.IndexOf(' ', start + 1);
            end = end < 0 ? reply.Length : end;
            yield return new ChatResponseUpdate(ChatRole.Assistant, reply[start..end]) { ResponseId = responseId, ModelId = modelId };
            start = end;
            await Task.Yield();
        }
        yield return new ChatResponseUpdate
        {
            ResponseId = responseId,
            ModelId = modelId,
            FinishReason = ChatFinishReason.Stop,
            Contents = [new UsageContent(Usage(conversation, reply))],
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private string Reply(List<ChatMessage> conversation, ChatOptions? options)
    {
        var question = conversation.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var reply = new StringBuilder("This is the built-in local model: it needs no API key and does not think, it only reports. ");
        reply.Append(question.Length == 0
            ? "Your request had no user message. "
            : $"You asked: \"{(question.Length > 200 ? question[..200] + "…" : question)}\" ({conversation.Count} messages, {tokens.Count(question)} tokens in the last one). ");
        if (options?.Tools is { Count: > 0 } tools)
        {
            reply.Append($"You offered {tools.Count} tool(s): {string.Join(", ", tools.Select(t => t.Name))}. ");
        }
        var others = catalog.Providers.Where(p => p.Value.Kind != ProviderKinds.Local).ToList();
        reply.Append(others.Count == 0
            ? "No other provider is configured. "
            : $"Configured providers: {string.Join("; ", others.Select(p => $"{p.Key} ({p.Value.Kind}: {string.Join(", ", p.Value.Models.Select(m => m.Id))})"))}. ");
        reply.Append("To add a real one, set Providers__<name>__Kind=openai (or ollama, anthropic), Providers__<name>__BaseUrl, Providers__<name>__ApiKey and Providers__<name>__Models__0__Id, then ask for model \"<name>/<model>\".");
        return reply.ToString();
    }

    private UsageDetails Usage(List<ChatMessage> conversation, string reply)
    {
        var input = tokens.Count(conversation);
        var output = tokens.Count(reply);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }
}
