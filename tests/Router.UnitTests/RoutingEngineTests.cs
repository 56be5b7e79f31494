using Microsoft.Extensions.Options;
using Router.Model;
using Router.Services;

namespace Router.UnitTests;

public sealed class RoutingEngineTests
{
    // A request of 1,000 input tokens and the default 300 output tokens costs: large $0.022, medium $0.0022, small $0.00033, tiny and local nothing.
    private static readonly ModelCatalog Catalog = new(Options.Create(new Dictionary<string, ProviderOptions>
    {
        ["eco"] = Provider(
            new ProviderModelOptions { Id = "small", Tier = ModelTiers.Economy, InputPricePerMillion = 0.15m, OutputPricePerMillion = 0.6m, Capabilities = ["tools", "json"], Tags = ["region:eu"] },
            new() { Id = "embed", Type = ModelTypes.Embedding }),
        ["std"] = Provider(new ProviderModelOptions { Id = "medium", Tier = ModelTiers.Standard, InputPricePerMillion = 1, OutputPricePerMillion = 4, Capabilities = ["tools", "json", "vision"], Tags = ["region:us"] }),
        ["pre"] = Provider(new ProviderModelOptions { Id = "large", Tier = ModelTiers.Premium, InputPricePerMillion = 10, OutputPricePerMillion = 40, Capabilities = ["tools", "json", "vision"], Tags = ["region:eu"] }),
        ["free"] = Provider(new ProviderModelOptions { Id = "tiny", Tier = ModelTiers.Economy, ContextWindow = 1_000 }),
    }));

    private readonly LearnedStats _stats = new();
    private readonly QuotaShares _quotas = new();
    private readonly RoutingOptions _options = new() { ExplorationShare = 0 };
    private readonly OrchestratorLoad _load;

    public RoutingEngineTests() => _load = new OrchestratorLoad(Options.Create(_options));

    [Fact]
    public void Decide_NoWeightOnQuality_CheapestFirst()
    {
        Ranked(Decide(policy: new() { Lambda = 0 })).ShouldBe(["free/tiny", "eco/small", "std/medium", "pre/large"]);
    }

    [Fact]
    public void Decide_HeavyWeightOnQuality_BestTierFirst()
    {
        Ranked(Decide(policy: new() { Lambda = 100 }))[..2].ShouldBe(["pre/large", "std/medium"]);
    }

    [Fact]
    public void Decide_DefaultPolicy_BalancesCostAndExpectedError()
    {
        // medium: 0.1 of the dearest cost + 0.15 error beats the free economy models' 0.3 error and large's full cost.
        var decision = Decide();

        Candidates(decision).ShouldBe(["std/medium", "free/tiny", "eco/small"]);
        decision.Explanation!.Scores.Single(s => s.Model == "pre/large").ExpectedCost.ShouldBe(0.022m);
    }

    [Fact]
    public void Decide_OtherChatModelsAvailable_LeavesTheLocalModelOut_AndSaysWhy()
    {
        // Free and as good as tiny on paper, the local model would win on cost; it only reports what it was asked.
        var decision = Decide(policy: new() { Lambda = 0 });

        Ranked(decision).ShouldNotContain("local/local-chat");
        decision.Explanation!.Excluded.ShouldContain(e => e.StartsWith("local/local-chat: the keyless local model", StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_NoOtherChatModelAllowed_RoutesToTheLocalModel()
    {
        var decision = Decide(policy: new() { AllowedModels = ["local/local-chat", "eco/embed"] });

        Candidates(decision).ShouldBe(["local/local-chat"]);
    }

    [Fact]
    public void Decide_NoOtherChatModelCapable_RoutesToTheLocalModel()
    {
        // Only tiny fits a 900-token context but tiny's window is too small for 1,001; local's 8,192 takes it.
        var decision = Decide(new DecisionRequest { Text = "hello", InputTokens = 900, MaxOutputTokens = 101 }, new() { AllowedModels = ["free/tiny", "local/local-chat"] });

        Candidates(decision).ShouldBe(["local/local-chat"]);
    }

    [Fact]
    public void Decide_EmbeddingModels_AreNeverCandidates()
    {
        var explanation = Decide().Explanation!;

        explanation.Scores.ShouldNotContain(s => s.Model == "eco/embed");
        explanation.Excluded.ShouldNotContain(e => e.StartsWith("eco/embed", StringComparison.Ordinal));
    }

    [Fact]
    public void Decide_ModelBadAtThisIntent_DropsBehind()
    {
        var intent = Decide().Intent;
        _stats.Set("std/medium", intent, new ModelIntentStats(0, 0, 1_000, Good: 0, Bad: 1_000));

        var decision = Decide();

        Candidates(decision)[0].ShouldNotBe("std/medium");
        Ranked(decision)[^1].ShouldBe("std/medium");
    }

    [Fact]
    public void Decide_ModelBadAtAnotherIntent_KeepsItsPlace()
    {
        _stats.Set("std/medium", "some-other-intent", new ModelIntentStats(0, 0, 1_000, Good: 0, Bad: 1_000));

        Candidates(Decide())[0].ShouldBe("std/medium");
    }

    [Fact]
    public void Decide_ModelProvenGood_RisesAboveItsTier()
    {
        var intent = Decide(policy: new() { Lambda = 100 }).Intent;
        _stats.Set("eco/small", intent, new ModelIntentStats(1, 0, 1_000, Good: 1_000, Bad: 0));

        Candidates(Decide(policy: new() { Lambda = 100 }))[0].ShouldBe("eco/small");
    }

    [Fact]
    public void Decide_Tools_KeepsOnlyModelsWithTools()
    {
        var decision = Decide(new DecisionRequest { Text = "call the weather tool", InputTokens = 1_000, Tools = true });

        Ranked(decision).ShouldBe(["std/medium", "eco/small", "pre/large"], ignoreOrder: true);
        decision.Explanation!.Excluded.ShouldContain("free/tiny: no tools");
        decision.Explanation.Excluded.ShouldContain("local/local-chat: no tools");
    }

    [Theory]
    [InlineData("json_object")]
    [InlineData("json_schema")]
    public void Decide_JsonFormat_KeepsOnlyModelsWithJsonMode(string format)
    {
        var decision = Decide(new DecisionRequest { Text = "list three colours", InputTokens = 1_000, ResponseFormat = format });

        decision.Explanation!.Excluded.ShouldContain("free/tiny: no JSON mode");
        Ranked(decision).Count.ShouldBe(3);
    }

    [Fact]
    public void Decide_Vision_KeepsOnlyModelsWithVision()
    {
        var decision = Decide(new DecisionRequest { Text = "what is in this picture?", InputTokens = 1_000, Vision = true });

        Ranked(decision).ShouldBe(["std/medium", "pre/large"], ignoreOrder: true);
        decision.Explanation!.Excluded.ShouldContain("eco/small: no vision");
    }

    [Fact]
    public void Decide_RequestLargerThanAContextWindow_ExcludesThatModel()
    {
        var decision = Decide(new DecisionRequest { Text = "hello", InputTokens = 900, MaxOutputTokens = 101 });

        decision.Explanation!.Excluded.ShouldContain("free/tiny: context window too small");
        Ranked(Decide(new DecisionRequest { Text = "hello", InputTokens = 900, MaxOutputTokens = 100 })).ShouldContain("free/tiny");
    }

    [Fact]
    public void Decide_MaxCostPerRequest_ExcludesDearerModels()
    {
        var decision = Decide(policy: new() { MaxCostPerRequest = 0.001m });

        Ranked(decision).ShouldBe(["free/tiny", "eco/small"], ignoreOrder: true);
        decision.Explanation!.Excluded.ShouldContain("pre/large: over the cost limit");
    }

    [Fact]
    public void Decide_PolicyTags_KeepOnlyModelsWithEveryTag()
    {
        var decision = Decide(policy: new() { Tags = ["region:eu"] });

        Ranked(decision).ShouldBe(["eco/small", "pre/large"], ignoreOrder: true);
        decision.Explanation!.Excluded.ShouldContain("std/medium: lacks region:eu");
    }

    [Fact]
    public void Decide_PolicyAndKeyAllowLists_BothApply_QualifiedOrBare()
    {
        var policy = new RoutingPolicy { AllowedModels = ["std/medium", "large", "small"] };

        var decision = Decide(new DecisionRequest { Text = "hi", InputTokens = 1_000, AllowedModels = ["eco/small", "pre/large"] }, policy);

        Ranked(decision).ShouldBe(["eco/small", "pre/large"], ignoreOrder: true);
        decision.Explanation!.Excluded.ShouldContain("std/medium: not allowed");
        decision.Explanation.Excluded.ShouldContain("free/tiny: not allowed");
    }

    [Fact]
    public void Decide_NoModelFits_HasNoCandidatesAndSaysWhy()
    {
        var decision = Decide(policy: new() { Tags = ["region:mars"] });

        decision.Route.Candidates.ShouldBeEmpty();
        decision.Explanation!.Excluded.Count.ShouldBe(5);
    }

    [Fact]
    public void Decide_ProviderQuotaUsedUp_ExcludesItsModels()
    {
        _quotas.Set(new() { ["std"] = new QuotaUse(1_000, 1_000, 0, null, QuotaPeriods.Day, 1) });

        Decide().Explanation!.Excluded.ShouldContain("std/medium: provider quota used up");
    }

    [Fact]
    public void Decide_ProviderNearItsQuota_IsSteeredAway()
    {
        _quotas.Set(new() { ["std"] = new QuotaUse(800, 1_000, 0, null, QuotaPeriods.Day, 0.8) });
        Candidates(Decide())[0].ShouldBe("std/medium");

        _quotas.Set(new() { ["std"] = new QuotaUse(900, 1_000, 0, null, QuotaPeriods.Day, 0.9) });
        var decision = Decide();

        Candidates(decision)[0].ShouldNotBe("std/medium");
        decision.Explanation!.Scores.Single(s => s.Model == "std/medium").QuotaUsed.ShouldBe(0.9);
    }

    [Fact]
    public void Decide_PreferredTier_EarnsABonus()
    {
        Candidates(Decide(policy: new() { PreferredTiers = [ModelTiers.Economy] }))[0].ShouldBe("free/tiny");
    }

    [Fact]
    public void Decide_FreeFirst_PutsFreeModelsAheadWhateverTheirScore()
    {
        Candidates(Decide(policy: new() { Lambda = 100, FreeFirst = true })).ShouldBe(["free/tiny", "pre/large", "std/medium"]);
    }

    [Fact]
    public void Decide_UnderBudgetPressure_FreeModelsFirst_AndSaysSo()
    {
        var decision = Decide(policy: new() { Lambda = 100 }, budgetPressure: true);

        Candidates(decision)[0].ShouldBe("free/tiny");
        decision.Explanation!.Features.BudgetPressure.ShouldBeTrue();
        decision.Explanation.Features.Overloaded.ShouldBeFalse();
    }

    [Fact]
    public void Decide_OrchestratorsOverloaded_DegradesAsUnderBudgetPressure()
    {
        _load.Concurrency = _options.OverloadConcurrency;

        var decision = Decide(policy: new() { Lambda = 100 });

        Candidates(decision)[0].ShouldBe("free/tiny");
        decision.Explanation!.Features.Overloaded.ShouldBeTrue();
    }

    [Fact]
    public void Decide_DegradedWithoutFreeModels_WeighsCostMore()
    {
        // λ 20 prefers large (1 + 20 × 0.05) to medium (0.1 + 20 × 0.15); degraded, λ is 5 and medium (0.85 against 1.25) wins.
        var policy = new RoutingPolicy { Lambda = 20, AllowedModels = ["std/medium", "pre/large"], Strategy = RouteStrategies.Single };

        Candidates(Decide(policy: policy))[0].ShouldBe("pre/large");
        Candidates(Decide(policy: policy, budgetPressure: true))[0].ShouldBe("std/medium");
    }

    [Theory]
    [InlineData(RouteStrategies.Single)]
    [InlineData(RouteStrategies.Parallel)]
    public void Decide_FixedStrategy_TakesTheTopCandidatesInOrder(string strategy)
    {
        var decision = Decide(policy: new() { Strategy = strategy, Hedge = 3 });

        decision.Route.Strategy.ShouldBe(strategy);
        Candidates(decision).ShouldBe(Ranked(decision)[.._options.MaxCandidates]);
        decision.Route.Hedge.ShouldBe(3);
    }

    [Fact]
    public void Decide_HedgeBelowOne_IsOne()
    {
        Decide(policy: new() { Strategy = RouteStrategies.Parallel, Hedge = 0 }).Route.Hedge.ShouldBe(1);
    }

    [Fact]
    public void Decide_CascadePolicy_GoesCheapestFirst()
    {
        var decision = Decide(policy: new() { Strategy = RouteStrategies.Cascade, Lambda = 100 });

        decision.Route.Strategy.ShouldBe(RouteStrategies.Cascade);
        // The best three by score (large, medium, then tiny, free and as good as small), cheapest first.
        Candidates(decision).ShouldBe(["free/tiny", "std/medium", "pre/large"]);
    }

    [Fact]
    public void Decide_AutoWithAGoodEnoughCheapModel_CascadesFromItToTheBest()
    {
        var decision = Decide(policy: new() { Lambda = 10, AllowedModels = ["std/medium", "pre/large"] });

        decision.Route.Strategy.ShouldBe(RouteStrategies.Cascade);
        Candidates(decision).ShouldBe(["std/medium", "pre/large"]);
    }

    [Fact]
    public void Decide_AutoWithTools_DoesNotCascade()
    {
        var request = new DecisionRequest { Text = "call a tool", InputTokens = 1_000, Tools = true };

        var decision = Decide(request, new() { Lambda = 10, AllowedModels = ["std/medium", "pre/large"] });

        decision.Route.Strategy.ShouldBe(RouteStrategies.Single);
        Candidates(decision)[0].ShouldBe("pre/large");
    }

    [Fact]
    public void Decide_AutoWithAStrictSchema_DoesNotCascade()
    {
        var request = new DecisionRequest { Text = "fill the form", InputTokens = 1_000, ResponseFormat = "json_schema", StrictSchema = true };

        Decide(request, new() { Lambda = 10, AllowedModels = ["std/medium", "pre/large"] }).Route.Strategy.ShouldBe(RouteStrategies.Single);
    }

    [Fact]
    public void Decide_AutoWhenTheCheapModelIsNotGoodEnough_DoesNotCascade()
    {
        // An economy model's prior quality (0.7) is under the cascade's bar (0.8).
        Decide(policy: new() { Lambda = 10, AllowedModels = ["eco/small", "pre/large"] }).Route.Strategy.ShouldBe(RouteStrategies.Single);
    }

    [Fact]
    public void Decide_RouteCarriesTheDecisionItsIntentAndThePolicyVersion()
    {
        var decision = Decide(new DecisionRequest { Text = "fix this python exception", InputTokens = 1_000, ResponseFormat = "json_object" }, new() { Version = 7 },
            intent: new IntentResult("code", 0.61, 0.25, FromRules: false));

        decision.DecisionId.ShouldStartWith("dec_");
        decision.Intent.ShouldBe("code");
        decision.Route.DecisionId.ShouldBe(decision.DecisionId);
        decision.Route.Intent.ShouldBe("code");
        decision.Explanation!.PolicyVersion.ShouldBe(7);
        decision.Explanation.Features.Intent.ShouldBe("code");
        decision.Explanation.Features.IntentConfidence.ShouldBe(0.61);
        decision.Explanation.Features.Novelty.ShouldBe(0.25);
        decision.Explanation.Features.Code.ShouldBeTrue();
        decision.Explanation.Features.JsonStrictness.ShouldBe("json");
        Decide().DecisionId.ShouldNotBe(decision.DecisionId);
    }

    [Fact]
    public void Decide_Exploring_SamplesQuality_ReproduciblyForASeed()
    {
        _options.ExplorationShare = 1;

        var first = Decide(random: new Random(7)).Explanation!.Scores;
        var second = Decide(random: new Random(7)).Explanation!.Scores;

        second.ShouldBe(first);
        first.ShouldContain(s => s.SampledQuality != s.ExpectedQuality);
    }

    private RoutingDecision Decide(
        DecisionRequest? request = null, RoutingPolicy? policy = null, bool budgetPressure = false, Random? random = null, IntentResult? intent = null) =>
        new RoutingEngine(Catalog, _stats, _quotas, _load, Options.Create(_options)).Decide(
            request ?? new DecisionRequest { Text = "hello", InputTokens = 1_000 }, intent ?? Chitchat, policy ?? new RoutingPolicy(), random ?? new Random(1), budgetPressure);

    private static List<string> Candidates(RoutingDecision decision) => [.. decision.Route.Candidates.Select(c => c.ToString())];

    private static List<string> Ranked(RoutingDecision decision) => [.. decision.Explanation!.Scores.Select(s => s.Model)];

    private static ProviderOptions Provider(params ProviderModelOptions[] models) => new() { Kind = ProviderKinds.OpenAi, Models = [.. models] };

    // The engine takes the intent as classified; the classifier has tests of its own.
    private static readonly IntentResult Chitchat = new("chitchat", 0.5, 0.2, FromRules: false);
}
