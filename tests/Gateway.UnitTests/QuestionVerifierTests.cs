using Microsoft.Extensions.Options;
using Platform.Vectors;

namespace Gateway.UnitTests;

// The semantic cache's verifier: which near questions may share an answer.
public sealed class QuestionVerifierTests
{
    private static readonly QuestionVerifier Verifier = new(
        new LocalEmbeddingGenerator(Options.Create(new LocalEmbeddingOptions())), Options.Create(new CacheOptions()));

    [Theory]
    [InlineData("What is your refund policy?", "What's the refund policy?")]
    [InlineData("What are the opening hours of the office on Saturdays?", "On Saturdays, what are the opening hours of the office?")]
    [InlineData("Is breakfast included in my room rate?", "Does my room rate include breakfast?")]
    [InlineData("How long does standard shipping take?", "how long does standard shipping usually take")]
    [InlineData("How many vacation days do I get per year?", "How many vacation days do I get a year?")]
    [InlineData("Can I return item A-1234 bought in 2024?", "Can I return item A-1234, bought in 2024?")]
    public async Task TheSameQuestion_InOtherWords_Agrees(string stored, string asked) =>
        (await Verifier.CompareAsync(asked, stored, TestContext.Current.CancellationToken)).ShouldBeNull();

    [Theory]
    [InlineData("What is your refund policy?", "What is your shipping policy?", "'shipping' has no counterpart")]
    [InlineData("Is there a student discount?", "Is there a senior discount?", "'senior' has no counterpart")]
    [InlineData("How do I sort a list in ascending order in Python?", "How do I sort a list in descending order in Python?", "'descending' has no counterpart")]
    [InlineData("Where is order 1234?", "Where is order 5678?", "numbers or identifiers differ")]
    [InlineData("Which foods are safe for dogs?", "Which foods are not safe for dogs?", "negation differs")]
    [InlineData("which flights go from boston to denver?", "which flights go from denver to boston?", "direction differs")]
    [InlineData("What time is it in Tokyo when it's noon in London?", "What time is it in London when it's noon in Tokyo?", "names in another order")]
    [InlineData("How do I cancel my order?", "How do I cancel my order next week?", "'next' has no counterpart")]
    public async Task AnotherQuestion_OfNearlyTheSameWords_IsRefused_WithTheReason(string stored, string asked, string reason) =>
        (await Verifier.CompareAsync(asked, stored, TestContext.Current.CancellationToken)).ShouldNotBeNull().ShouldStartWith(reason);
}
