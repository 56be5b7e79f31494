using System.Numerics.Tensors;
using Microsoft.Extensions.Options;
using Platform.Vectors;

namespace Platform.UnitTests;

// The keyless embedding model (MiniLM), loaded once for the class.
public sealed class LocalEmbeddingGeneratorTests
{
    private static readonly CancellationToken Cancellation = TestContext.Current.CancellationToken;

    private static readonly LocalEmbeddingGenerator Embeddings = new(Options.Create(new LocalEmbeddingOptions { BatchSize = 4 }));

    [Fact]
    public async Task AQuestion_IsNearerItsRewording_ThanAnotherQuestionOfTheSameWords()
    {
        var vectors = await VectorsAsync("What is your refund policy?", "What's the refund policy?", "What is the capital of Peru?");

        vectors.ShouldAllBe(v => v.Length == LocalEmbeddingGenerator.Dimensions && Math.Abs(TensorPrimitives.Norm(v) - 1) < 1e-4f);
        var reworded = TensorPrimitives.Dot(vectors[0], vectors[1]);
        reworded.ShouldBeGreaterThan(0.9f);
        TensorPrimitives.Dot(vectors[0], vectors[2]).ShouldBeLessThan(reworded - 0.5f);
    }

    [Fact]
    public async Task Punctuation_IsSetApartFromWords_BeforeTheModelSeesThem()
    {
        LocalEmbeddingGenerator.Windows("Refund policy? (EU only)").Single().ShouldBe(["Refund", "policy", "?", "(", "EU", "only", ")"]);
        var vectors = await VectorsAsync("refund policy?", "refund policy ?");
        TensorPrimitives.Dot(vectors[0], vectors[1]).ShouldBe(1f, 1e-4f);
    }

    [Fact]
    public async Task ALongText_IsEncodedInWindows_WhoseVectorsAreAveraged()
    {
        var sentence = "The blender's warranty covers the motor for five years from delivery. ";
        var text = string.Concat(Enumerable.Repeat(sentence, 40));

        // 14 words a sentence, punctuation included: 560 words in windows of at most 160.
        LocalEmbeddingGenerator.Windows(text).Select(w => w.Length).ShouldBe([160, 160, 160, 80]);
        var vectors = await VectorsAsync(text, sentence, "How do I book a table for dinner?");
        TensorPrimitives.Norm(vectors[0]).ShouldBe(1f, 1e-4f);
        // The whole repeats the sentence, so it means what the sentence means (the model saw every window, not the first 512 tokens).
        TensorPrimitives.Dot(vectors[0], vectors[1]).ShouldBeGreaterThan(0.8f);
        TensorPrimitives.Dot(vectors[0], vectors[2]).ShouldBeLessThan(0.3f);
    }

    [Fact]
    public async Task ConcurrentCallers_ShareBatches_AndGetWhatEachWouldGetAlone()
    {
        var texts = Enumerable.Range(0, 24).Select(i => $"Question number {i}: where is parcel {i * 7}?").ToList();
        var alone = new List<float[]>();
        foreach (var text in texts)
        {
            alone.Add((await VectorsAsync(text))[0]);
        }

        var together = await Task.WhenAll(texts.Select(text => Task.Run(() => VectorsAsync(text), Cancellation)));

        for (var i = 0; i < texts.Count; i++)
        {
            TensorPrimitives.Dot(together[i][0], alone[i]).ShouldBe(1f, 1e-4f);
        }
    }

    [Fact]
    public async Task ACallCancelled_ThrowsForItsCaller_AndTheModelServesTheNext()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => Embeddings.GenerateAsync(["never embedded"], cancellationToken: cancelled.Token));
        (await VectorsAsync("still here")).ShouldHaveSingleItem().Length.ShouldBe(LocalEmbeddingGenerator.Dimensions);
    }

    private static async Task<List<float[]>> VectorsAsync(params string[] texts) =>
        [.. (await Embeddings.GenerateAsync(texts, cancellationToken: Cancellation)).Select(e => e.Vector.ToArray())];
}
