using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Ingestion.Services;

/// <summary>
/// Charges a tenant for what a provider's embedding model did for it (the local model is free): one usage event per
/// document processed (<c>ingestion.embeddings</c>) and per search (<c>ingestion.search</c>), priced from the catalog,
/// which Billing meters and Analytics counts as it does the Gateway's requests. No API key made these calls: the
/// events carry an empty key id.
/// </summary>
public sealed class EmbeddingMetering(EventPublisher events, ModelCatalog catalog, IOptions<IngestionOptions> options)
{
    public const string DocumentEndpoint = "ingestion.embeddings";
    public const string SearchEndpoint = "ingestion.search";

    /// <summary>
    /// Publishes the charge under <paramref name="eventId"/> (a document job's own id: a job delivered again charges
    /// once, as Billing meters an event id once); nothing for the local model.
    /// </summary>
    public async Task ChargeAsync(Guid eventId, Guid tenantId, string endpoint, UsageDetails? usage, TimeSpan took, CancellationToken cancellationToken)
    {
        if (catalog.Find(options.Value.EmbeddingModel).Model is not { } model || model.Provider == ModelCatalog.LocalProvider)
        {
            return;
        }
        var tokens = usage?.InputTokenCount ?? 0;
        await events.PublishAsync(UsageIntegrationEvent.Subject, new UsageIntegrationEvent
        {
            Id = eventId,
            TenantId = tenantId,
            Endpoint = endpoint,
            Model = model.QualifiedId,
            Provider = model.Provider,
            InputTokens = tokens,
            Cost = model.CostOf(tokens, 0),
            InputPricePerMillion = model.Model.InputPricePerMillion,
            LatencyMs = took.TotalMilliseconds,
            Cache = CacheStatus.None,
            StatusCode = StatusCodes.Status200OK,
        }, cancellationToken);
    }
}
