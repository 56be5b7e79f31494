namespace Gateway.Usage;

/// <summary>What a request did, filled in by its handler and emitted as one usage event when the response is done.</summary>
public sealed class UsageRecord
{
    public CatalogModel? Model { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public string Cache { get; set; } = CacheStatus.None;

    public bool Stream { get; set; }

    public string? ErrorCode { get; set; }

    /// <summary>The provider embedding the semantic cache asked for, charged as its own <c>cache.embeddings</c> usage event.</summary>
    public CacheEmbedding? CacheEmbedding { get; set; }

    /// <summary>What an embeddings request reserved against the budgets, captured when its response is done (chat calls settle in their pipeline).</summary>
    public BudgetReservation Reservation { get; set; } = BudgetReservation.Unchecked;

    /// <summary>Cache hits and requests that reached no model are not charged.</summary>
    public bool Charged => Cache is not (CacheStatus.Hit or CacheStatus.SemanticHit) && Model is not null;

    /// <summary>What these tokens cost the tenant, in USD.</summary>
    public decimal CostOf(long inputTokens, long outputTokens) => Charged ? Model!.CostOf(inputTokens, outputTokens) : 0;
}

public sealed record CacheEmbedding(CatalogModel Model, long InputTokens, double LatencyMs)
{
    public decimal Cost => Model.CostOf(InputTokens, 0);
}

public static class UsageRecordHttpContextExtensions
{
    public static UsageRecord Usage(this HttpContext http) =>
        http.Features.Get<UsageRecord>() ?? throw new InvalidOperationException("The endpoint has no UsageRecordingFilter.");
}
