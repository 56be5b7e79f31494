namespace Platform.Catalog;

/// <summary>A model of the catalog: <c>provider/id</c>, its provider's settings and its prices.</summary>
public sealed record CatalogModel(string Provider, ProviderOptions Options, ProviderModelOptions Model)
{
    public string QualifiedId { get; } = $"{Provider}/{Model.Id}";

    public bool IsEmbedding => Model.Type == ModelTypes.Embedding;

    /// <summary>The cost of a request in USD, from the catalog's per-million prices.</summary>
    public decimal CostOf(long inputTokens, long outputTokens) =>
        (inputTokens * Model.InputPricePerMillion + outputTokens * Model.OutputPricePerMillion) / 1_000_000m;
}
