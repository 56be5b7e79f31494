using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The models the platform can serve, from <c>Providers:*</c> plus the built-in keyless <c>local</c> provider.
/// Models are addressed as <c>provider/model</c>, or by bare id when only one provider has it.
/// </summary>
public sealed class ModelCatalog
{
    public const string LocalProvider = "local";
    public const string LocalChatModel = "local-chat";
    public const string LocalEmbeddingModel = "local-embedding";

    private readonly Dictionary<string, CatalogModel> _byQualifiedId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CatalogModel>> _byBareId = new(StringComparer.Ordinal);

    public ModelCatalog(IOptions<Dictionary<string, ProviderOptions>> providers)
    {
        var configured = new Dictionary<string, ProviderOptions>(providers.Value, StringComparer.Ordinal);
        configured.TryAdd(LocalProvider, new ProviderOptions
        {
            Kind = ProviderKinds.Local,
            Models = [new() { Id = LocalChatModel, ContextWindow = 8192, Tier = ModelTiers.Economy }, new() { Id = LocalEmbeddingModel, Type = ModelTypes.Embedding }],
        });

        foreach (var (name, provider) in configured)
        {
            foreach (var model in provider.Models.Where(m => m.Id.Length > 0))
            {
                var entry = new CatalogModel(name, provider, model);
                _byQualifiedId[entry.QualifiedId] = entry;
                if (!_byBareId.TryGetValue(model.Id, out var sameId))
                {
                    _byBareId[model.Id] = sameId = [];
                }
                sameId.Add(entry);
            }
        }
        Models = [.. _byQualifiedId.Values.OrderBy(m => m.QualifiedId, StringComparer.Ordinal)];
        Providers = configured;
    }

    public IReadOnlyList<CatalogModel> Models { get; }

    public IReadOnlyDictionary<string, ProviderOptions> Providers { get; }

    /// <summary>Finds <paramref name="model"/> (<c>provider/model</c>, or a bare id that only one provider has).</summary>
    public CatalogLookup Find(string model)
    {
        if (_byQualifiedId.TryGetValue(model, out var exact))
        {
            return new CatalogLookup(exact, []);
        }
        return _byBareId.TryGetValue(model, out var candidates)
            ? candidates.Count == 1 ? new CatalogLookup(candidates[0], []) : new CatalogLookup(null, candidates)
            : new CatalogLookup(null, []);
    }
}

/// <summary>A model of the catalog: <c>provider/id</c>, its provider's settings and its prices.</summary>
public sealed record CatalogModel(string Provider, ProviderOptions Options, ProviderModelOptions Model)
{
    public string QualifiedId { get; } = $"{Provider}/{Model.Id}";

    public bool IsEmbedding => Model.Type == ModelTypes.Embedding;

    /// <summary>The cost of a request in USD, from the catalog's per-million prices.</summary>
    public decimal CostOf(long inputTokens, long outputTokens) =>
        (inputTokens * Model.InputPricePerMillion + outputTokens * Model.OutputPricePerMillion) / 1_000_000m;
}

/// <summary>The model found, or, for an ambiguous bare id, the candidates to choose from.</summary>
public readonly record struct CatalogLookup(CatalogModel? Model, IReadOnlyList<CatalogModel> Ambiguous);
