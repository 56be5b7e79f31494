namespace Platform.Vectors;

/// <summary>Bound from <c>LocalEmbeddings</c>: how the keyless embedding model runs in this process.</summary>
public sealed class LocalEmbeddingOptions
{
    public const string Section = "LocalEmbeddings";

    /// <summary>Default 32: the most texts (or windows of a long text) encoded in one pass of the model.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>The threads one pass of the model uses, 0 for every core; each service sets its default (see <see cref="LocalEmbeddingExtensions.AddLocalEmbeddings"/>).</summary>
    public int Threads { get; set; }

    /// <summary>
    /// Whether the model is loaded as the service starts, so that the first request does not wait for it; each service
    /// sets its default. The test platforms turn it off: most of their tests never embed, and a start costs less.
    /// </summary>
    public bool WarmUp { get; set; } = true;
}
