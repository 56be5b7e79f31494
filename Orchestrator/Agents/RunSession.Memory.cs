using System.Text;
using Microsoft.Extensions.AI;
using Orchestrator.Model;
using StackExchange.Redis;

namespace Orchestrator.Agents;

public sealed partial class RunSession
{
    /// <summary>
    /// Before the first step of an agent with memory: the conversation's earlier turns (its older ones summarised
    /// first, by a metered model call, when they pass the token budget) and the user's memories nearest the question
    /// go into the run's conversation, after the instructions and before the input.
    /// </summary>
    public async Task RecallMemoryAsync(AgentMemory memory, CancellationToken cancellationToken)
    {
        if (definition.Memory is not { } settings || run.ModelCalls > 0 || run.Messages.Any(m => m.AuthorName == AgentMemory.Author))
        {
            return;
        }
        var conversation = await memory.LoadConversationAsync(run);
        decimal summaryCost = 0;
        if (conversation is not null && memory.Tokens(conversation) > settings.ConversationTokens)
        {
            (conversation, summaryCost) = await SummariseAsync(memory, conversation, settings, cancellationToken);
        }
        var recalled = await memory.RecallAsync(run, run.Question, settings.RecallTop, settings.RecallThreshold, cancellationToken);

        List<ChatMessage> remembered = [];
        if (recalled.Count > 0 || conversation?.Summary is not null)
        {
            remembered.Add(new ChatMessage(ChatRole.System, MemoryPrompt(recalled, conversation?.Summary)) { AuthorName = AgentMemory.Author });
        }
        remembered.AddRange(conversation?.Turns.Select(t => t.ToMessage()) ?? []);
        if (remembered.Count > 0)
        {
            // After the instructions, before the input.
            RunJournal.Checkpoint(run, [run.Messages[0], .. remembered, .. run.Messages.Skip(1)]);
        }
        await journal.AppendAsync(run, RunEvents.MemoryRecalled, new MemoryRecalledData(
            run.User, run.Conversation, conversation?.Turns.Count ?? 0, conversation?.Summary, summaryCost,
            [.. recalled.Select(m => new RecalledMemoryData(m.Kind.ToString().ToLowerInvariant(), m.Text, Math.Round(m.Score, 3)))]), cancellationToken);
    }

    /// <summary>
    /// After a run that answered: its question and answer become a warm memory, and the conversation's next turns.
    /// Both are safe to write again if the run is finished again after a restart.
    /// </summary>
    public async Task RememberAsync(AgentMemory memory, ILogger logger, CancellationToken cancellationToken)
    {
        if (definition.Memory is not { } settings || run.Answer is not { Length: > 0 } answer)
        {
            return;
        }
        await memory.RememberExchangeAsync(run, cancellationToken);
        if (run.Conversation is null)
        {
            return;
        }
        try
        {
            var conversation = await memory.LoadConversationAsync(run) ?? new ConversationMemory(run.AgentName, run.User, run.Conversation, null, [], null, time.GetUtcNow());
            if (conversation.LastRunId != run.Id)
            {
                await memory.SaveConversationAsync(run, conversation with
                {
                    Turns = [.. conversation.Turns, new ConversationTurn("user", run.Question), new ConversationTurn("assistant", answer)],
                    LastRunId = run.Id,
                    UpdatedAt = time.GetUtcNow(),
                }, settings);
            }
        }
        catch (RedisException ex)
        {
            // The answer stands; only the conversation's next run will not see this turn.
            Log.ConversationNotSaved(logger, ex, run.Id);
        }
    }

    private async Task<(ConversationMemory Conversation, decimal Cost)> SummariseAsync(
        AgentMemory memory, ConversationMemory conversation, MemorySettings settings, CancellationToken cancellationToken)
    {
        // The newest turns that fit half the budget stay word for word; the older ones join the summary.
        var kept = new List<ConversationTurn>();
        var keptTokens = 0;
        foreach (var turn in Enumerable.Reverse(conversation.Turns))
        {
            keptTokens += memory.Tokens(turn);
            if (keptTokens > settings.ConversationTokens / 2)
            {
                break;
            }
            kept.Insert(0, turn);
        }
        var older = conversation.Turns.Take(conversation.Turns.Count - kept.Count).ToList();
        models.RenewTokenIfOld();
        var response = await models.Client.GetResponseAsync(SummaryPrompt(conversation.Summary, older), cancellationToken: cancellationToken);
        var (_, _, _, cost) = Meter(response);
        var summarised = conversation with { Summary = response.Text, Turns = kept, UpdatedAt = time.GetUtcNow() };
        await memory.SaveConversationAsync(run, summarised, settings);
        return (summarised, cost);
    }

    private static List<ChatMessage> SummaryPrompt(string? summary, List<ConversationTurn> turns)
    {
        var text = new StringBuilder("Summarise the earlier part of a conversation between a user and an assistant in a few sentences. ")
            .Append("Keep every fact, name, number, decision and open question; leave out pleasantries. Answer with the summary only.\n\n");
        if (summary is not null)
        {
            text.Append("Summary so far: ").Append(summary).Append("\n\n");
        }
        foreach (var turn in turns)
        {
            text.Append(turn.Role).Append(": ").Append(turn.Text).Append('\n');
        }
        return [new ChatMessage(ChatRole.User, text.ToString())];
    }

    private static string MemoryPrompt(List<RecalledMemory> recalled, string? summary)
    {
        var text = new StringBuilder();
        if (recalled.Count > 0)
        {
            text.Append("What you remember of this user from earlier conversations, most relevant first. Use it when it helps; do not mention it otherwise.\n");
            foreach (var memory in recalled)
            {
                text.Append("- ").Append(memory.Text.ReplaceLineEndings(" ")).Append('\n');
            }
        }
        if (summary is not null)
        {
            text.Append("The earlier part of this conversation, summarised: ").Append(summary);
        }
        return text.ToString();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Agent run {RunId} answered, but its turn could not be added to its conversation's memory (Redis is unavailable).")]
        public static partial void ConversationNotSaved(ILogger logger, Exception exception, Guid runId);
    }
}
