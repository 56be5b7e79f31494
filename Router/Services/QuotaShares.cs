using System.Collections.Frozen;

namespace Router.Services;

/// <summary>How much of its quota each provider account has used this period, as this process last read it from Redis.</summary>
public sealed class QuotaShares
{
    private FrozenDictionary<string, QuotaUse> _use = FrozenDictionary<string, QuotaUse>.Empty;

    public IReadOnlyDictionary<string, QuotaUse> All => _use;

    /// <summary>0 for a provider without a quota; 1 when its quota is used up.</summary>
    public double ShareOf(string provider) => _use.GetValueOrDefault(provider)?.Share ?? 0;

    public void Set(Dictionary<string, QuotaUse> use) => _use = use.ToFrozenDictionary(StringComparer.Ordinal);
}
