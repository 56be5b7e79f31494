using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Platform.Catalog;
using Platform.Contracts;
using Router;
using Router.Model;
using Router.Services;

namespace Benchmarks;

/// <summary>
/// One routing decision in process (classify, filter by policy, score, choose the strategy) over a catalog of
/// twelve chat models with learned figures for every intent. Goal: p99 ≤ 200 µs. BenchmarkDotNet's percentiles are
/// over iterations; <c>evaluate</c> prints the per-call p99 of the same method.
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
        var classifier = new IntentClassifier(new HostingEnvironment { ContentRootPath = AppContext.BaseDirectory });
        var stats = new LearnedStats();
        foreach (var model in catalog.Models)
        {
            foreach (var intent in classifier.Intents)
            {
                var success = 0.7 + _random.NextDouble() * 0.3;
                stats.Set(model.QualifiedId, intent, new ModelIntentStats(success, 300 + _random.Next(1000), 100, success * 60, (1 - success) * 60));
            }
        }
        _engine = new RoutingEngine(catalog, classifier, stats, new QuotaShares(), new OrchestratorLoad(Options.Create(new RoutingOptions())), Options.Create(new RoutingOptions()));
        _policy = new RoutingPolicy();
    }

    [Benchmark]
    public RoutingDecision Decide() => _engine.Decide(Request, _policy, null, _random);

    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig() => AddColumn(StatisticColumn.P95, StatisticColumn.Max);
    }
}
