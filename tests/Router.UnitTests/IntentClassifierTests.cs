using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Vectors;
using Router.Services;

namespace Router.UnitTests;

// The classifier on the keyless embedding model (MiniLM), loaded once for the class.
public sealed class IntentClassifierTests
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    private static readonly IntentClassifier Classifier = new(
        new LocalEmbeddingGenerator(Options.Create(new LocalEmbeddingOptions())), new Environment { ContentRootPath = AppContext.BaseDirectory });

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
    public async Task Classify_TypicalRequest_FindsItsIntent(string text, string intent)
    {
        var result = await Classifier.ClassifyAsync(text, inputTokens: 20, cancellationToken: Cancellation);

        result.Intent.ShouldBe(intent);
        result.FromRules.ShouldBeFalse();
    }

    [Theory]
    [InlineData("How do Germans say 'good luck'?", "translate")]
    [InlineData("My Go service leaks goroutines whenever the client disconnects", "code")]
    [InlineData("Give me three bullet points on what this meeting decided", "summarize")]
    [InlineData("What's the chance of drawing two aces in a row from a deck?", "math")]
    [InlineData("Make up a bedtime tale about a sleepy owl", "creative")]
    [InlineData("Is it wiser to pay off the mortgage early or invest the money?", "reasoning")]
    [InlineData("Which dates appear in this letter?", "extract")]
    [InlineData("Long day at work, how's yours going?", "chitchat")]
    public async Task Classify_NoCueWord_FindsTheIntentByMeaning(string text, string intent)
    {
        RequestFlags.Cues(text).ShouldBeEmpty();

        (await Classifier.ClassifyAsync(text, inputTokens: 20, cancellationToken: Cancellation)).Intent.ShouldBe(intent);
    }

    [Fact]
    public async Task Classify_NoText_FallsToTheRules_AsGeneral()
    {
        var result = await Classifier.ClassifyAsync("", inputTokens: 10, cancellationToken: Cancellation);

        result.FromRules.ShouldBeTrue();
        result.Intent.ShouldBe(IntentClassifier.General);
        result.Novelty.ShouldBe(1);
    }

    [Fact]
    public async Task Classify_UnsureAboutALongRequest_TakesItForASummary()
    {
        (await Classifier.ClassifyAsync(" ", inputTokens: 5_000, cancellationToken: Cancellation)).Intent.ShouldBe("summarize");
    }

    [Fact]
    public async Task Classify_AnExampleItself_IsNotNovel_WhileGibberishIs()
    {
        var known = await Classifier.ClassifyAsync("solve the equation 3x + 7 = 22", inputTokens: 10, cancellationToken: Cancellation);
        var request = await Classifier.ClassifyAsync("write a limerick about a sleepy dog", inputTokens: 10, cancellationToken: Cancellation);
        var gibberish = await Classifier.ClassifyAsync("zxqv blorft wumble", inputTokens: 10, cancellationToken: Cancellation);

        known.Novelty.ShouldBeLessThan(0.01);
        request.Novelty.ShouldBeLessThan(gibberish.Novelty);
        gibberish.Novelty.ShouldBeGreaterThan(0.5);
    }

    [Fact]
    public async Task Classify_ALongRequest_IsClassifiedByItsBeginningAndEnd()
    {
        var filler = string.Concat(Enumerable.Repeat("The parcel left the warehouse on Monday and reached the depot on Tuesday. ", 60));

        var result = await Classifier.ClassifyAsync($"Translate the following into German: {filler} Thank you for translating.", 1_000, cancellationToken: Cancellation);

        result.Intent.ShouldBe("translate");
    }

    [Fact]
    public async Task Classify_WithATenantsOwnIntent_LearnsItsWording()
    {
        var intents = await Classifier.WithTenantExamplesAsync(await TenantExamplesAsync(
            ("refund", "refund my last invoice payment"), ("refund", "I want a refund for the duplicate payment"), ("refund", "money back for my cancelled subscription payment")));

        var result = await Classifier.ClassifyAsync("I was charged twice this month, please return the extra charge", 20, intents, Cancellation);

        result.Intent.ShouldBe("refund");
        result.FromRules.ShouldBeFalse();
        // The global intents still answer for what the tenant did not teach.
        (await Classifier.ClassifyAsync("translate this paragraph into Spanish for our customers", 20, intents, Cancellation)).Intent.ShouldBe("translate");
    }

    [Fact]
    public async Task Classify_WithATenantsExamplesOfAGlobalIntent_PullsItsWordingThere()
    {
        const string text = "make this email sound friendlier";
        var before = await Classifier.ClassifyAsync(text, 20, cancellationToken: Cancellation);
        before.Intent.ShouldNotBe("translate");

        // This tenant calls a change of tone a translation.
        var intents = await Classifier.WithTenantExamplesAsync(await TenantExamplesAsync(
            ("translate", "rewrite this message in a warmer tone"), ("translate", "turn this formal letter into casual language")));

        (await Classifier.ClassifyAsync(text, 20, intents, Cancellation)).Intent.ShouldBe("translate");
        (await Classifier.ClassifyAsync("write a python function that parses a CSV file", 20, intents, Cancellation)).Intent.ShouldBe("code");
    }

    [Fact]
    public async Task Classify_TheSameText_IsAlwaysTheSame()
    {
        var first = await Classifier.ClassifyAsync("make this email sound friendlier", 30, cancellationToken: Cancellation);

        (await Classifier.ClassifyAsync("make this email sound friendlier", 30, cancellationToken: Cancellation)).ShouldBe(first);
    }

    private static async Task<List<(string Intent, float[] Vector)>> TenantExamplesAsync(params (string Intent, string Text)[] examples) =>
        [.. examples.Zip(await Classifier.EmbedAsync([.. examples.Select(e => e.Text)], Cancellation), (e, vector) => (e.Intent, vector))];

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "Router";

        public string ContentRootPath { get; set; } = "";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
