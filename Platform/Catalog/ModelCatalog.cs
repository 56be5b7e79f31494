using Microsoft.Extensions.Options;

namespace Platform.Catalog;

/// <summary>
/// The models the platform can serve, from <c>Providers:*</c> plus the built-in keyless <c>local</c> provider, and
/// the models operators add or change through the admin API (kept current by <see cref="CatalogSync"/>).
/// Models are addressed as <c>provider/model</c>, or by bare id when only one provider has it.
/// </summary>
public sealed class ModelCatalog
{
    public const string LocalProvider = "local";
    public const string LocalChatModel = "local-chat";
    public const string LocalEmbeddingModel = "local-embedding";

    private readonly Dictionary<string, ProviderOptions> _configured;
    private volatile Snapshot _current;

    public ModelCatalog(IOptions<Dictionary<string, ProviderOptions>> providers)
    {
        _configured = new Dictionary<string, ProviderOptions>(providers.Value, StringComparer.Ordinal);
        _configured.TryAdd(LocalProvider, new ProviderOptions
        {
            Kind = ProviderKinds.Local,
            Models = [new() { Id = LocalChatModel, ContextWindow = 8192, Tier = ModelTiers.Economy }, new() { Id = LocalEmbeddingModel, Type = ModelTypes.Embedding }],
        });
        _current = new Snapshot(_configured, new Dictionary<string, ProviderModelOptions>());
    }

    public IReadOnlyList<CatalogModel> Models => _current.Models;

    /// <summary>The providers (from configuration: an API key never comes through the admin API) and their models.</summary>
    public IReadOnlyDictionary<string, ProviderOptions> Providers => _current.Providers;

    /// <summary>The models set through the admin API (<c>provider/model</c>), added or in place of configured ones.</summary>
    public IReadOnlyDictionary<string, ProviderModelOptions> Changes => _current.Changes;

    /// <summary>Finds <paramref name="model"/> (<c>provider/model</c>, or a bare id that only one provider has).</summary>
    public CatalogLookup Find(string model)
    {
        var current = _current;
        if (current.ByQualifiedId.TryGetValue(model, out var exact))
        {
            return new CatalogLookup(exact, []);
        }
        return current.ByBareId.TryGetValue(model, out var candidates)
            ? candidates.Count == 1 ? new CatalogLookup(candidates[0], []) : new CatalogLookup(null, candidates)
            : new CatalogLookup(null, []);
    }

    /// <summary>Rebuilds the catalog from configuration plus <paramref name="changes"/>; readers see the old or the new one whole.</summary>
    public void Apply(IReadOnlyDictionary<string, ProviderModelOptions> changes) => _current = new Snapshot(_configured, changes);

    private sealed class Snapshot
    {
        public Snapshot(Dictionary<string, ProviderOptions> configured, IReadOnlyDictionary<string, ProviderModelOptions> changes)
        {
            Changes = changes;
            var providers = new Dictionary<string, ProviderOptions>(StringComparer.Ordinal);
            foreach (var (name, provider) in configured)
            {
                var models = provider.Models.Where(m => m.Id.Length > 0).ToDictionary(m => m.Id, StringComparer.Ordinal);
                foreach (var (qualifiedId, model) in changes)
                {
                    if (qualifiedId.StartsWith(name + "/", StringComparison.Ordinal))
                    {
                        models[model.Id] = model;
                    }
                }
                providers[name] = new ProviderOptions { Kind = provider.Kind, BaseUrl = provider.BaseUrl, ApiKey = provider.ApiKey, Quota = provider.Quota, Models = [.. models.Values] };
            }
            Providers = providers;
            foreach (var (name, provider) in providers)
            {
                foreach (var model in provider.Models)
                {
                    var entry = new CatalogModel(name, provider, model);
                    ByQualifiedId[entry.QualifiedId] = entry;
                    if (!ByBareId.TryGetValue(model.Id, out var sameId))
                    {
                        ByBareId[model.Id] = sameId = [];
                    }
                    sameId.Add(entry);
                }
            }
            Models = [.. ByQualifiedId.Values.OrderBy(m => m.QualifiedId, StringComparer.Ordinal)];
        }

        public Dictionary<string, CatalogModel> ByQualifiedId { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<CatalogModel>> ByBareId { get; } = new(StringComparer.Ordinal);

        public IReadOnlyList<CatalogModel> Models { get; }

        public IReadOnlyDictionary<string, ProviderOptions> Providers { get; }

        public IReadOnlyDictionary<string, ProviderModelOptions> Changes { get; }
    }
}
