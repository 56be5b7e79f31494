using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Router.Services;

namespace Router.UnitTests;

public sealed class IntentClassifierTests
{
    private static readonly IntentClassifier Classifier = Create();

    [Fact]
    public void Intents_AreTheLabelledOnes()
    {
        Classifier.Intents.ShouldBe(["chitchat", "summarize", "extract", "translate", "code", "math", "reasoning", "creative"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("translate this paragraph into Spanish for our customers", "translate")]
    [InlineData("write a python function that parses a CSV file", "code")]
    [InlineData("solve the equation 2x + 3 = 11", "math")]
    [InlineData("summarize this quarterly report in three bullet points", "summarize")]
    [InlineData("compose a short poem about the sea at night", "creative")]
    [InlineData("hi there, how are you doing today", "chitchat")]
    [InlineData("should we migrate to Kubernetes? weigh the pros and cons", "reasoning")]
    [InlineData("extract all the dates and amounts from this invoice", "extract")]
    public void Classify_TypicalRequest_FindsItsIntent(string text, string intent)
    {
        var result = Classifier.Classify(text, inputTokens: 20);

        result.Intent.ShouldBe(intent);
        result.Confidence.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Classify_NothingLikeAnyExample_FallsToTheRules_AsGeneral()
    {
        var result = Classifier.Classify("zxqv blorft wumble", inputTokens: 10);

        result.FromRules.ShouldBeTrue();
        result.Intent.ShouldBe(IntentClassifier.General);
    }

    [Fact]
    public void Classify_UnsureAboutALongRequest_TakesItForASummary()
    {
        Classifier.Classify("zxqv blorft wumble", inputTokens: 5_000).Intent.ShouldBe("summarize");
    }

    [Fact]
    public void Classify_AnExampleItself_IsNotNovel_WhileGibberishIs()
    {
        var known = Classifier.Classify("solve the equation 3x + 7 = 22", inputTokens: 10);
        var unknown = Classifier.Classify("zxqv blorft wumble", inputTokens: 10);

        known.Novelty.ShouldBeLessThan(0.01);
        unknown.Novelty.ShouldBeGreaterThan(0.5);
    }

    [Fact]
    public void Classify_WithATenantsOwnIntent_LearnsItsWording()
    {
        var tenant = Classifier.TenantCentroids([
            ("refund", "refund my last invoice payment"), ("refund", "I want a refund for the duplicate payment"), ("refund", "money back for my cancelled subscription payment")]);

        var result = Classifier.Classify("please refund the duplicate payment on my subscription", 20, tenant);

        result.Intent.ShouldBe("refund");
        result.FromRules.ShouldBeFalse();
        // The global intents still answer for what the tenant did not teach.
        Classifier.Classify("translate this paragraph into Spanish for our customers", 20, tenant).Intent.ShouldBe("translate");
    }

    [Fact]
    public void Classify_TheSameText_IsAlwaysTheSame()
    {
        Classifier.Classify("make this email sound friendlier", 30).ShouldBe(Classifier.Classify("make this email sound friendlier", 30));
    }

    internal static IntentClassifier Create() => new(new Environment { ContentRootPath = AppContext.BaseDirectory });

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "Router";

        public string ContentRootPath { get; set; } = "";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
