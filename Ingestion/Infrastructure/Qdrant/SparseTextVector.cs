using Ingestion.Model;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;
using Qdrant.Client.Grpc;

namespace Ingestion.Infrastructure;

/// <summary>
/// Text as a Qdrant sparse vector for BM25 ranking: its English terms (Lucene's <see cref="EnglishAnalyzer"/>: lower
/// case, stop words dropped, Porter stems, so "refunds" finds "refund"), each at the index of its stem's MurmurHash3.
/// A chunk weighs each term by BM25's term-frequency saturation, a query each of its terms by 1; Qdrant's IDF
/// modifier multiplies in the term's rarity over the collection, so a chunk's score is its BM25.
/// </summary>
public static class SparseTextVector
{
    private const float K1 = 1.2f;
    private const float B = 0.75f;

    // A stored weight cannot follow the collection's average length as it changes; the chunker bounds a chunk (400
    // tokens by default, about 200 terms once stop words are gone), so that is the length a chunk is compared with.
    private const float AverageTerms = 200;

    // Fixed: Lucene's own default seed differs in every process, and documents and queries are hashed in many.
    private const int Seed = 0;

    // Thread-safe: each thread reuses its own token stream.
    private static readonly EnglishAnalyzer Analyzer = new(LuceneVersion.LUCENE_48);

    /// <summary>The chunk's heading and text.</summary>
    public static SparseVector OfChunk(DocumentChunk chunk)
    {
        var terms = Terms($"{chunk.Heading}\n{chunk.Text}");
        // Two stems with the same hash are one term to Qdrant, which refuses an index twice.
        var counts = terms.CountBy(term => term);
        var lengthNorm = K1 * (1 - B + (B * terms.Count / AverageTerms));
        var vector = new SparseVector();
        foreach (var (index, count) in counts)
        {
            vector.Indices.Add(index);
            vector.Values.Add(count * (K1 + 1) / (count + lengthNorm));
        }
        return vector;
    }

    public static SparseVector OfQuery(IEnumerable<string> keywords)
    {
        var terms = keywords.SelectMany(Terms).Distinct().ToList();
        return new SparseVector { Indices = { terms }, Values = { terms.Select(_ => 1f) } };
    }

    private static List<uint> Terms(string text)
    {
        var terms = new List<uint>();
        using var tokens = Analyzer.GetTokenStream("text", text);
        var term = tokens.AddAttribute<ICharTermAttribute>();
        tokens.Reset();
        while (tokens.IncrementToken())
        {
            terms.Add(unchecked((uint)StringHelper.Murmurhash3_x86_32(new BytesRef(term.ToString()), Seed)));
        }
        tokens.End();
        return terms;
    }
}
