using Ingestion.Model;
using Microsoft.Extensions.VectorData;

namespace Ingestion.Infrastructure;

/// <summary>A chunk store that also ranks chunks by their words alone: the text half of its hybrid search.</summary>
public interface ITextSearchable
{
    /// <summary>Why the store cannot search by words (the message of a 400), or null when it can.</summary>
    Task<string?> TextSearchUnavailableAsync(CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    /// <summary>The chunks whose text best matches any of <paramref name="keywords"/>, best first, scored in [0, 1].</summary>
    IAsyncEnumerable<VectorSearchResult<DocumentChunk>> TextSearchAsync(ICollection<string> keywords, int top, CancellationToken cancellationToken = default);
}
