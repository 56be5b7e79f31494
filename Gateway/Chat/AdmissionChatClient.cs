using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Gateway.Chat;

/// <summary>
/// Admits the call against the key's and the tenant's rate limits (requests and tokens per minute, on an estimate:
/// the input's size plus the most the model may write) and reserves the most it may cost against every budget that
/// applies (priced at the dearest model that may answer). Both are asked at once, so admission costs one round trip
/// to Redis; a refusal by either gives back what the other took. Whatever happens after, both are settled once, at
/// what the call was metered: the model's tokens, and the semantic cache's embedding if one was made.
/// </summary>
public sealed class AdmissionChatClient(IChatClient inner, RateLimiter limiter, BudgetGuard budgets, ModelCatalog catalog, IOptions<GatewayOptions> options)
    : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options);
        var (limit, reservation) = await AdmitAsync(call);
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        finally
        {
            Settle(call, limit, reservation);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = ChatCall.Of(options);
        var (limit, reservation) = await AdmitAsync(call);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }
        }
        finally
        {
            Settle(call, limit, reservation);
        }
    }

    private async Task<(RateLimitDecision Limit, BudgetReservation Reservation)> AdmitAsync(ChatCall call)
    {
        var outputTokens = call.Request.Options.MaxOutputTokens;
        var admitting = limiter.AdmitAsync(call.Key, call.InputTokenEstimate + (outputTokens ?? 0));
        var reserving = budgets.ReserveAsync(call.Key, EstimatedCost(call, outputTokens ?? options.Value.BudgetOutputTokenEstimate));
        var limit = call.Limit = await admitting;
        var reservation = await reserving;
        if (!limit.Admitted)
        {
            budgets.Capture(reservation, 0);
            throw new ChatCallException(limit.ToError());
        }
        if (!reservation.Admitted)
        {
            limiter.Settle(limit, 0);
            throw new ChatCallException(reservation.ToError());
        }
        return (limit, reservation);
    }

    /// <summary>What the call may cost at most: at the dearest of its candidates, or of every chat model the key may use for "auto".</summary>
    private decimal EstimatedCost(ChatCall call, long outputTokens)
    {
        var models = call.Candidates.Count > 0 ? call.Candidates : catalog.Models.Where(m => !m.IsEmbedding && ModelAccess.Allows(call.Key, m));
        return models.Select(m => m.CostOf(call.InputTokenEstimate, outputTokens)).DefaultIfEmpty(0).Max();
    }

    private void Settle(ChatCall call, RateLimitDecision limit, BudgetReservation reservation)
    {
        var usage = call.Usage;
        limiter.Settle(limit, usage.InputTokens + usage.OutputTokens);
        budgets.Capture(reservation, usage.CostOf(usage.InputTokens, usage.OutputTokens) + (usage.CacheEmbedding?.Cost ?? 0));
    }
}
