using System.Numerics.Tensors;

namespace Router.Services;

/// <summary>An intent's labelled examples as normalised vectors of the local embedding, and their centroid.</summary>
public sealed record IntentVectors(float[] Centroid, IReadOnlyList<float[]> Examples)
{
    public static IntentVectors Of(IReadOnlyList<float[]> examples) => new(CentroidOf(examples), examples);

    /// <summary>
    /// These with a tenant's own examples: theirs join the nearest-example search, and the centroid moves halfway
    /// toward theirs, so a few of the tenant's count as much as all the global ones.
    /// </summary>
    public IntentVectors With(IntentVectors own) => new(CentroidOf([Centroid, own.Centroid]), [.. Examples, .. own.Examples]);

    private static float[] CentroidOf(IReadOnlyList<float[]> vectors)
    {
        var sum = new float[vectors[0].Length];
        foreach (var vector in vectors)
        {
            TensorPrimitives.Add(sum, vector, sum);
        }
        var norm = TensorPrimitives.Norm(sum);
        TensorPrimitives.Divide(sum, norm == 0 ? 1 : norm, sum);
        return sum;
    }
}
