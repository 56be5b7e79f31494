using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Orchestrator.Services;

/// <summary>
/// Counts tokens with a real tokenizer (o200k_base, as GPT-4o), for the local model and for any provider that
/// streams without reporting usage: a request's usage is never a guess of zero.
/// </summary>
public sealed class TokenCounter
{
    // Per-message framing as OpenAI counts it for chat models.
    private const int TokensPerMessage = 3;
    private const int TokensPerReply = 3;

    private readonly TiktokenTokenizer _tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

    public int Count(string text) => _tokenizer.CountTokens(text);

    public int Count(IEnumerable<ChatMessage> messages)
    {
        var total = TokensPerReply;
        foreach (var message in messages)
        {
            total += TokensPerMessage + Count(message.Role.Value) + Count(message.Text);
            foreach (var call in message.Contents.OfType<FunctionCallContent>())
            {
                total += Count(call.Name) + Count(System.Text.Json.JsonSerializer.Serialize(call.Arguments, ExecutionJson.Options));
            }
            foreach (var result in message.Contents.OfType<FunctionResultContent>())
            {
                total += Count(result.Result?.ToString() ?? "");
            }
        }
        return total;
    }

    /// <summary>Usage counted here, for a provider that did not report it.</summary>
    public UsageDetails Usage(IEnumerable<ChatMessage> messages, string output)
    {
        var input = Count(messages);
        var produced = Count(output);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = produced, TotalTokenCount = input + produced };
    }
}
