using System.Text.Json;
using Microsoft.Extensions.AI;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// A capability as one function the model calls: its tools tried in order through their pipelines
/// (<see cref="ToolResilience"/>), the next on a failure, a timeout, an open circuit or a full bulkhead. What was
/// tried, and which tool answered, goes with the result into the run's steps.
/// </summary>
public sealed class CapabilityFunction(ToolCapability capability, IReadOnlyList<AIFunction> tools, ToolResilience resilience) : AIFunction
{
    public override string Name => capability.Name;

    public override string Description => capability.Description;

    /// <summary>Its tools, in the order they are tried.</summary>
    public IReadOnlyList<AIFunction> Tools => tools;

    // The tools of a capability take the same arguments: the first one's schema stands for them all.
    public override JsonElement JsonSchema => tools.Count > 0 ? tools[0].JsonSchema : base.JsonSchema;

    /// <summary>Whether a call may be made again: only when every tool it may reach may be.</summary>
    public bool Idempotent => tools.All(RunSession.IsIdempotent);

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var attempts = new List<ToolAttemptData>();
        foreach (var tool in tools)
        {
            try
            {
                var pipeline = resilience.For(capability, tool.Name, RunSession.IsIdempotent(tool));
                var result = await pipeline.ExecuteAsync(async token => await tool.InvokeAsync(arguments, token), cancellationToken);
                attempts.Add(new ToolAttemptData(tool.Name, Ok: true, null, null));
                return new CapabilityResult(RunSession.AsText(result), tool, attempts);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                attempts.Add(new ToolAttemptData(tool.Name, Ok: false, ToolResilience.Reason(ex), ex.Message));
            }
        }
        throw new CapabilityFailedException($"No tool of {capability.Name} answered: {string.Join("; ", attempts.Select(a => $"{a.Tool} ({a.Reason}): {a.Error}"))}", attempts);
    }
}

/// <summary>What a capability's call returned, the tool that answered and every attempt before it.</summary>
public sealed record CapabilityResult(string Text, AIFunction AnsweredBy, IReadOnlyList<ToolAttemptData> Attempts);

public sealed class CapabilityFailedException(string message, IReadOnlyList<ToolAttemptData> attempts) : Exception(message)
{
    public IReadOnlyList<ToolAttemptData> Attempts { get; } = attempts;
}
