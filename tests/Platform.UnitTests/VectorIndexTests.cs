using System.Numerics.Tensors;
using Platform.Vectors;

namespace Platform.UnitTests;

public sealed class VectorIndexTests
{
    [Fact]
    public void ASmallIndex_ReturnsTheExactTopInOrder_WithPositions()
    {
        var random = new Random(3);
        var index = new VectorIndex<string>(Dimensions);
        var rows = Enumerable.Range(0, 40).Select(i => ($"row {i}", Normalised(Dimensions, random))).ToList();
        foreach (var (item, vector) in rows)
        {
            index.Add(vector, item);
        }
        var query = Near(rows[17].Item2, 0.5f, random);

        var nearest = index.Nearest(query, 2);

        var expected = rows.Select((row, position) => (row.Item1, position, TensorPrimitives.Dot(row.Item2, query)))
            .OrderByDescending(t => t.Item3).Take(2).ToList();
        nearest.Select(n => (n.Item, n.Position)).ShouldBe(expected.Select(e => (e.Item1, e.position)));
        nearest[0].Item.ShouldBe("row 17");
        nearest[0].Score.ShouldBe(expected[0].Item3, 1e-6f);
        nearest[0].Score.ShouldBeGreaterThan(nearest[1].Score);
    }

    [Fact]
    public void ALargeIndex_ShortlistsByCode_AndStillFindsTheNearDuplicate_AndTheExactScore()
    {
        var random = new Random(7);
        var index = new VectorIndex<int>(Dimensions);
        var vectors = Enumerable.Range(0, VectorIndex<int>.ExactScanLimit * 3).Select(_ => Normalised(Dimensions, random)).ToList();
        for (var i = 0; i < vectors.Count; i++)
        {
            index.Add(vectors[i], i);
        }

        for (var probe = 0; probe < 50; probe++)
        {
            var target = random.Next(vectors.Count);
            var query = Near(vectors[target], 0.5f, random);
            var best = index.Nearest(query, 1).Single();
            best.Item.ShouldBe(target);
            best.Position.ShouldBe(target);
            best.Score.ShouldBe(TensorPrimitives.Dot(vectors[target], query), 1e-6f);
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
        var random = new Random(5);
        var index = new VectorIndex<int>(Dimensions);
        var marker = Normalised(Dimensions, random);
        var filler = Enumerable.Range(0, 20_000).Select(_ => Normalised(Dimensions, random)).ToList();
        var adding = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                index.Add(i == 5_000 ? marker : filler[i], i);
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

    // The local embedding's width.
    private const int Dimensions = LocalEmbeddingGenerator.Dimensions;

    /// <summary>A unit vector near <paramref name="vector"/>: noise of the given size added in every dimension, normalised again.</summary>
    private static float[] Near(float[] vector, float noise, Random random)
    {
        var near = vector.Select(x => x + (((float)random.NextDouble() - 0.5f) * noise / MathF.Sqrt(vector.Length))).ToArray();
        var norm = MathF.Sqrt(TensorPrimitives.Dot(near, near));
        return [.. near.Select(x => x / norm)];
    }

    private static float[] Normalised(int dimensions, Random random)
    {
        var vector = Enumerable.Range(0, dimensions).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var norm = MathF.Sqrt(TensorPrimitives.Dot(vector, vector));
        return [.. vector.Select(x => x / norm)];
    }
}
