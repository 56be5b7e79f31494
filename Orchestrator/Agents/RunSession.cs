using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Orchestrator.Infrastructure;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// A run in progress on this replica: before each model call it checks the run's limits, after it records the step
/// (usage, cost, text, the tools asked for) with the conversation as the run's checkpoint; tool calls go through
/// <see cref="InvokeToolAsync"/>, written ahead and completed in the run's record.
/// </summary>
public sealed partial class RunSession(
    AgentRun run,
    AgentDefinition definition,
    IReadOnlyList<AIFunction> tools,
    GatewayModels.RunModelClient models,
    OrchestratorDbContext db,
    RunJournal journal,
    EventPublisher events,
    ModelCatalog catalog,
    TimeProvider time)
{
    private readonly Dictionary<string, AIFunction> _tools = tools.ToDictionary(t => t.Name);

    public AgentRun Run => run;

    public IReadOnlyList<AIFunction> Tools => tools;

    /// <summary>A limit a tool call reached: the loop is told to end, and the run fails with this.</summary>
    public AgentRunException? Stopped { get; private set; }

    /// <summary>With a critic, answers are drafts until reviewed: their text is not streamed to followers as it comes.</summary>
    public bool WritesDrafts => definition.Critic is not null;

    public CriticSettings? Critic => definition.Critic;

    /// <summary>The model that wrote the last step, which a review of its draft is about.</summary>
    public string? LastModel { get; private set; }

    public void BeforeModelCall(IEnumerable<ChatMessage> messages)
    {
        var limits = definition.Limits;
        if (run.ModelCalls >= limits.MaxIterations)
        {
            throw AgentRunException.Limit("max_iterations_exceeded", $"The run reached its limit of {limits.MaxIterations} model calls without an answer.");
        }
        if (run.Cost >= limits.MaxCostUsd)
        {
            throw AgentRunException.Limit("cost_limit_exceeded", $"The run reached its cost limit of {limits.MaxCostUsd} USD (it used {run.Cost:0.######}).");
        }
        // The conversation now holds the tool results since the last step: saved with this step's event.
        RunJournal.Checkpoint(run, messages);
        models.RenewTokenIfOld();
    }

    public async Task AfterModelCallAsync(IEnumerable<ChatMessage> messages, ChatResponse response, double durationMs, CancellationToken cancellationToken)
    {
        var step = ++run.ModelCalls;
        var (model, input, output, cost) = Meter(response);
        run.Answer += response.Text;
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        LastModel = model;
        RunJournal.Checkpoint(run, messages.Concat(response.Messages));
        journal.Stage(run, RunEvents.ModelStep, new ModelStepData(step, LastModel, input, output, cost, durationMs, response.Text,
            [.. calls.Select(c => new ToolCallData(c.CallId, c.Name, Serialize(c.Arguments)))], WritesDrafts));
        foreach (var call in calls.Where(c => !_tools.ContainsKey(c.Name)))
        {
            journal.Stage(run, RunEvents.ToolRefused, new ToolRefusedData(step, call.CallId, call.Name, "The tool is not on the agent's allow-list."));
        }
        // Saved now, unless a write follows at once anyway: the first tool call's, or (no critic to wait for) the run's end.
        var writeFollows = calls.Count > 0 ? calls.All(c => _tools.ContainsKey(c.Name)) : definition.Critic is null;
        if (!writeFollows)
        {
            await journal.SaveAsync(cancellationToken);
        }
    }

    /// <summary>
    /// After a restart: the calls of the last model step that have no result yet are made (or their recorded results
    /// found) before the model is asked again.
    /// </summary>
    public async Task CompletePendingCallsAsync(CancellationToken cancellationToken)
    {
        if (run.Messages.LastOrDefault() is not { Role.Value: "assistant" } last
            || last.Contents.OfType<FunctionCallContent>().ToList() is not { Count: > 0 } pending)
        {
            return;
        }
        var results = new List<AIContent>();
        foreach (var call in pending)
        {
            var result = _tools.TryGetValue(call.Name, out var function)
                ? await InvokeToolAsync(new FunctionInvocationContext { Function = function, Arguments = new AIFunctionArguments(call.Arguments), CallContent = call }, cancellationToken)
                : $"Error: Requested function \"{call.Name}\" not found.";
            results.Add(new FunctionResultContent(call.CallId, result));
        }
        RunJournal.Checkpoint(run, [.. run.Messages, new ChatMessage(ChatRole.Tool, results)]);
    }

    /// <summary>
    /// Has the critic review the run's current draft (its answer so far): its scores are recorded in the run and
    /// published for the Router to learn the draft's model's quality from. True when the draft passes.
    /// </summary>
    public async Task<(bool Passed, CriticVerdict Verdict)> ReviewAsync(CriticSettings critic, GatewayModels.RunModelClient reviewer, int round, CancellationToken cancellationToken)
    {
        if (run.Cost >= definition.Limits.MaxCostUsd)
        {
            throw AgentRunException.Limit("cost_limit_exceeded", $"The run reached its cost limit of {definition.Limits.MaxCostUsd} USD before its review (it used {run.Cost:0.######}).");
        }
        reviewer.RenewTokenIfOld();
        var draft = run.Answer ?? "";
        var response = await reviewer.Client.GetResponseAsync<CriticVerdict>(CriticPrompts.Prompt(definition, critic, run.Messages, draft, round), cancellationToken: cancellationToken);
        if (!response.TryGetResult(out var verdict))
        {
            throw new AgentRunException(new ExecutionError(StatusCodes.Status502BadGateway, "The critic's review was not the JSON asked for.", "api_error", "critic_unreadable"));
        }
        var (model, _, _, cost) = Meter(response);
        var passed = verdict.Score >= critic.Threshold;
        await journal.AppendAsync(run, RunEvents.CriticReview, new CriticReviewData(round, LastModel, model, verdict.Score,
            verdict.Groundedness, verdict.Adherence, verdict.Tone, verdict.Reasons, passed, draft, cost), cancellationToken);
        if (LastModel is { } reviewed)
        {
            await events.PublishAsync(AnswerReviewedIntegrationEvent.Subject, new AnswerReviewedIntegrationEvent { TenantId = run.TenantId, RunId = run.Id, Model = reviewed, Score = verdict.Score }, cancellationToken);
        }
        return (passed, verdict);
    }

    /// <summary>Sends the rejected draft back with the reviewer's critique: the next draft replaces it.</summary>
    public void Redraft(CriticVerdict verdict, double threshold)
    {
        RunJournal.Checkpoint(run, [.. run.Messages, CriticPrompts.Critique(verdict, threshold)]);
        run.Answer = null;
    }

    /// <summary>Adds a model call's tokens and cost (at the catalog's prices of the model that answered) to the run's.</summary>
    private (string? Model, long Input, long Output, decimal Cost) Meter(ChatResponse response)
    {
        var (input, output) = (response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        var model = response.ModelId is { } id ? catalog.Find(id).Model : null;
        var cost = model?.CostOf(input, output) ?? 0;
        run.InputTokens += input;
        run.OutputTokens += output;
        run.Cost += cost;
        return (model?.QualifiedId ?? response.ModelId, input, output, cost);
    }

    private static string Serialize(IDictionary<string, object?>? arguments) => JsonSerializer.Serialize(arguments ?? new Dictionary<string, object?>(), ExecutionJson.Options);

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
