using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Platform.Catalog;
using Platform.Contracts;
using Platform.Vectors;
using Router;
using Router.Model;
using Router.Services;

namespace Benchmarks;

/// <summary>
/// One routing decision in process (filter by policy, score, choose the strategy) over a catalog of twelve chat models
/// with learned figures for every intent, for a request classified already. Goal: p99 ≤ 200 µs. BenchmarkDotNet's
/// percentiles are over iterations; <c>evaluate</c> prints the per-call p99 of the same method. Beside it, the
/// classification that comes before it (the request embedded by the local model, then scored against the examples).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PercentileConfig))]
public class DecisionBenchmarks
{
    private static readonly DecisionRequest Request = new()
    {
        Text = "Write a python function that parses an ISO date and returns the weekday, with unit tests.",
        InputTokens = 420,
    };

    private readonly Random _random = new(7);
    private IntentClassifier _classifier = null!;
    private IntentResult _intent = null!;
    private RoutingEngine _engine = null!;
    private RoutingPolicy _policy = null!;

    [GlobalSetup]
    public void Setup()
    {
        string[] tiers = [ModelTiers.Economy, ModelTiers.Standard, ModelTiers.Premium];
        var providers = Enumerable.Range(0, 3).ToDictionary(p => $"provider{p}", p => new ProviderOptions
        {
            Kind = ProviderKinds.OpenAi,
            Models = [.. Enumerable.Range(0, 4).Select(m => new ProviderModelOptions
            {
                Id = $"model{m}",
                Tier = tiers[m % tiers.Length],
                InputPricePerMillion = 0.1m * (m + 1) * (p + 1),
                OutputPricePerMillion = 0.4m * (m + 1) * (p + 1),
                Capabilities = [ModelCapabilities.Tools, ModelCapabilities.Json],
            })],
        });
        var catalog = new ModelCatalog(Options.Create(providers));
        // The embedding model lives as long as the benchmark's process.
        _classifier = new IntentClassifier(new LocalEmbeddingGenerator(Options.Create(new LocalEmbeddingOptions())), new HostingEnvironment { ContentRootPath = AppContext.BaseDirectory });
        _intent = _classifier.ClassifyAsync(Request.Text, Request.InputTokens).GetAwaiter().GetResult();
        var stats = new LearnedStats();
        foreach (var model in catalog.Models)
        {
            foreach (var intent in _classifier.Intents)
            {
                var success = 0.7 + _random.NextDouble() * 0.3;
                stats.Set(model.QualifiedId, intent, new ModelIntentStats(success, 300 + _random.Next(1000), 100, success * 60, (1 - success) * 60));
            }
        }
        _engine = new RoutingEngine(catalog, stats, new QuotaShares(), new OrchestratorLoad(Options.Create(new RoutingOptions())), Options.Create(new RoutingOptions()));
        _policy = new RoutingPolicy();
    }

    [Benchmark]
    public RoutingDecision Decide() => _engine.Decide(Request, _intent, _policy, _random);

    [Benchmark]
    public Task<IntentResult> Classify() => _classifier.ClassifyAsync(Request.Text, Request.InputTokens);

    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig() => AddColumn(StatisticColumn.P95, StatisticColumn.Max);
    }
}
