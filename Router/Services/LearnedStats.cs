using System.Collections.Concurrent;

namespace Router.Services;

/// <summary>
/// What this process knows has been learned per (model, intent), for decisions to read without I/O.
/// <see cref="LearnedStatsStore"/> keeps it in step with Redis, where every replica's outcomes meet.
/// </summary>
public sealed class LearnedStats
{
    private readonly ConcurrentDictionary<string, ModelIntentStats> _stats = new(StringComparer.Ordinal);

    public ModelIntentStats? Get(string model, string intent) => _stats.GetValueOrDefault(KeyOf(model, intent));

    /// <summary>Every figure, keyed <c>model|intent</c>.</summary>
    public IReadOnlyDictionary<string, ModelIntentStats> All => _stats;

    public void Set(string model, string intent, ModelIntentStats stats) => _stats[KeyOf(model, intent)] = stats;

    internal void Set(string key, ModelIntentStats stats) => _stats[key] = stats;

    internal static string KeyOf(string model, string intent) => $"{model}|{intent}";
}

/// <summary>
/// Moving averages of success (0..1) and latency (ms), the number of outcomes behind them, and discounted counts of
/// good and bad outcomes (the recent window's evidence for the quality estimate).
/// </summary>
public sealed record ModelIntentStats(double Success, double LatencyMs, long Count, double Good, double Bad);
