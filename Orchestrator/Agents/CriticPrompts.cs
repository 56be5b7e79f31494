using System.Text;
using Microsoft.Extensions.AI;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// The reviewer of a run's draft answers: a model (through the Gateway, as every model call of the run) scores a
/// draft for its groundedness in the tool results, its adherence to the agent's instructions and its tone, with
/// reasons, as structured output.
/// </summary>
public static class CriticPrompts
{
    private const string Instructions = """
        You review an AI agent's draft answer before the user sees it. Score it from 0 to 1 on three counts:
        groundedness (every claim is supported by the tool results and cited sources shown, nothing invented),
        adherence (it follows the agent's instructions and answers the user's request), and tone (clear, courteous,
        fit for the user). Give short, concrete reasons a writer can act on.
        """;

    /// <summary>What the reviewer sees: the agent's instructions, the conversation with its tool results, and the draft.</summary>
    public static List<ChatMessage> Prompt(AgentDefinition agent, CriticSettings critic, IReadOnlyList<ChatMessage> conversation, string draft, int round)
    {
        var text = new StringBuilder();
        text.Append("The agent's instructions:\n").Append(agent.Instructions).Append("\n\n");
        if (critic.Instructions.Length > 0)
        {
            text.Append("Also check:\n").Append(critic.Instructions).Append("\n\n");
        }
        text.Append("The conversation so far:\n");
        foreach (var message in conversation.Where(m => m.Role != ChatRole.System))
        {
            foreach (var content in message.Contents)
            {
                var line = content switch
                {
                    TextContent t when t.Text.Length > 0 => $"{message.Role}: {t.Text}",
                    FunctionCallContent call => $"tool call {call.Name}({string.Join(", ", call.Arguments?.Select(a => $"{a.Key}={a.Value}") ?? [])})",
                    FunctionResultContent result => $"tool result: {result.Result}",
                    _ => null,
                };
                if (line is not null)
                {
                    text.Append(line).Append('\n');
                }
            }
        }
        text.Append("\nReview round: ").Append(round).Append("\nThe draft answer:\n").Append(draft);
        return [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, text.ToString())];
    }

    /// <summary>The message that sends a rejected draft back to the agent.</summary>
    public static ChatMessage Critique(CriticVerdict verdict, double threshold) => new(ChatRole.User,
        $"A reviewer scored your answer {verdict.Score:0.00} of 1 (it needs {threshold:0.00}): groundedness {verdict.Groundedness:0.00}, " +
        $"adherence {verdict.Adherence:0.00}, tone {verdict.Tone:0.00}. Their reasons: {verdict.Reasons} Write your answer again, addressing them.");
}

/// <summary>A reviewer's scores of one draft, each from 0 to 1, and why.</summary>
public sealed record CriticVerdict(double Groundedness, double Adherence, double Tone, string Reasons)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public double Score => Math.Round((Math.Clamp(Groundedness, 0, 1) + Math.Clamp(Adherence, 0, 1) + Math.Clamp(Tone, 0, 1)) / 3, 4);
}
