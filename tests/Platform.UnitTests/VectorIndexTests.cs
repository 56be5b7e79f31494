using System.Numerics.Tensors;
using Platform.Vectors;

namespace Platform.UnitTests;

public sealed class VectorIndexTests
{
    [Fact]
    public void ASmallIndex_ReturnsTheExactTopInOrder_WithPositions()
    {
        var index = new VectorIndex<string>(LocalEmbeddingGenerator.Dimensions);
        string[] texts = ["the pump needs a new valve", "invoice for the battery order", "the valve is leaking", "safety manual for the engine"];
        foreach (var text in texts)
        {
            index.Add(LocalEmbeddingGenerator.Vector(text), text);
        }
        var query = LocalEmbeddingGenerator.Vector("the pump valve");

        var nearest = index.Nearest(query, 2);

        var expected = texts.Select((text, position) => (text, position, TensorPrimitives.Dot(LocalEmbeddingGenerator.Vector(text), query)))
            .OrderByDescending(t => t.Item3).Take(2).ToList();
        nearest.Select(n => (n.Item, n.Position)).ShouldBe(expected.Select(e => (e.text, e.position)));
        nearest[0].Score.ShouldBe(expected[0].Item3, 1e-6f);
        nearest[0].Score.ShouldBeGreaterThan(nearest[1].Score);
    }

    [Fact]
    public void ALargeIndex_ShortlistsByCode_AndStillFindsTheNearDuplicate_AndTheExactScore()
    {
        var random = new Random(7);
        var index = new VectorIndex<int>(LocalEmbeddingGenerator.Dimensions);
        var texts = Enumerable.Range(0, VectorIndex<int>.ExactScanLimit * 3).Select(_ => Sentence(random)).ToList();
        for (var i = 0; i < texts.Count; i++)
        {
            index.Add(LocalEmbeddingGenerator.Vector(texts[i]), i);
        }

        for (var probe = 0; probe < 50; probe++)
        {
            var target = random.Next(texts.Count);
            var query = LocalEmbeddingGenerator.Vector("please " + texts[target]);
            var best = index.Nearest(query, 1).Single();
            best.Item.ShouldBe(target);
            best.Position.ShouldBe(target);
            best.Score.ShouldBe(TensorPrimitives.Dot(LocalEmbeddingGenerator.Vector(texts[target]), query), 1e-6f);
        }
    }

    [Fact]
    public void DenseVectors_WithNoZeroDimensions_AreShortlistedBySign()
    {
        var random = new Random(11);
        const int dimensions = 96;
        var index = new VectorIndex<int>(dimensions);
        var vectors = Enumerable.Range(0, VectorIndex<int>.ExactScanLimit * 2).Select(_ => Normalised(dimensions, random)).ToList();
        for (var i = 0; i < vectors.Count; i++)
        {
            index.Add(vectors[i], i);
        }
        var target = vectors[1234];
        var query = target.Select(x => x + ((float)random.NextDouble() - 0.5f) * 0.02f).ToArray();

        index.Nearest(query, 3)[0].Item.ShouldBe(1234);
    }

    [Fact]
    public async Task Searches_RunAlongsideAppends_AndSeeWholeRows()
    {
        var index = new VectorIndex<int>(LocalEmbeddingGenerator.Dimensions);
        var marker = LocalEmbeddingGenerator.Vector("the one row searched for");
        var adding = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                index.Add(i == 5_000 ? marker : LocalEmbeddingGenerator.Vector($"row {i} of filler text"), i);
            }
        }, TestContext.Current.CancellationToken);
        while (!adding.IsCompleted)
        {
            var nearest = index.Nearest(marker, 1);
            if (nearest.Count == 1 && nearest[0].Score > 0.99f)
            {
                nearest[0].Item.ShouldBe(5_000);
            }
        }
        await adding;
        index.Count.ShouldBe(20_000);
        index.Nearest(marker, 1).Single().Item.ShouldBe(5_000);
    }

    [Fact]
    public void AVectorOfAnotherSize_IsRefused()
    {
        var index = new VectorIndex<int>(8);
        Should.Throw<ArgumentException>(() => index.Add(new float[4], 1));
        Should.Throw<ArgumentException>(() => index.Nearest(new float[16], 1));
        index.Nearest(new float[8], 3).ShouldBeEmpty();
    }

    private static readonly string[] Words = [.. Enumerable.Range(0, 500).Select(i => $"w{i}")];

    private static string Sentence(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(8, 14)).Select(_ => Words[random.Next(Words.Length)]));

    private static float[] Normalised(int dimensions, Random random)
    {
        var vector = Enumerable.Range(0, dimensions).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var norm = MathF.Sqrt(TensorPrimitives.Dot(vector, vector));
        return [.. vector.Select(x => x / norm)];
    }
}
