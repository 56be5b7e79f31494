using System.ComponentModel;
using Microsoft.Extensions.AI;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>The tools an agent with memory has for its user's durable facts (cold memory): <c>remember</c> and <c>recall</c>.</summary>
public static class MemoryTools
{
    public const string Remember = "remember";
    public const string Recall = "recall";

    public static IEnumerable<AIFunction> For(AgentMemory memory, AgentRun run) =>
    [
        AIFunctionFactory.Create(
            ([Description("Who or what the fact is about, such as 'the user' or 'Contoso'.")] string subject,
             [Description("How they are related, such as 'works_at' or 'prefers'.")] string relation,
             [Description("The other side, such as 'Contoso' or 'window seats'.")] string @object,
             CancellationToken cancellationToken) => memory.RememberFactAsync(run, subject, relation, @object, cancellationToken),
            Remember,
            "Remembers a durable fact about the user or their world, as subject, relation and object, for later conversations."),
        AIFunctionFactory.Create(
            ([Description("A name or topic, such as 'Contoso' or 'travel preferences'.")] string about, CancellationToken cancellationToken) =>
                memory.RecallFactsAsync(run, about, cancellationToken),
            Recall,
            "Recalls what is remembered about a name or topic from earlier conversations with this user."),
    ];
}
