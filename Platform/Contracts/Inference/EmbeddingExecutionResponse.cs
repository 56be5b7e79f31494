namespace Platform.Contracts;

public sealed record EmbeddingExecutionResponse(IList<float[]> Vectors, long InputTokens)
{
    /// <summary>
    /// <paramref name="vector"/> scaled to unit length, in place: similarity is ranked by dot product, which is the
    /// cosine only for unit vectors, and not every provider returns them.
    /// </summary>
    public static float[] Normalised(float[] vector)
    {
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
        }
        return vector;
    }
}
