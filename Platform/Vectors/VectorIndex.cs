using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Platform.Vectors;

/// <summary>
/// Normalised vectors, each with an item, searched by dot product (the cosine). Small indexes are scanned exactly.
/// Past <see cref="ExactScanLimit"/> rows a search first scores every row on a two-bit code of its vector (each
/// dimension positive, negative or zero, so sparse lexical vectors and dense neural ones both keep their shape),
/// which costs a few popcounts a row, then ranks the best <paramref name="candidates"/> of those exactly (more
/// candidates, better recall, slower search). Appends take a lock; searches never do, reading the rows published
/// when they began.
/// </summary>
public sealed class VectorIndex<T>(int dimensions, int candidates = VectorIndex<T>.DefaultCandidates)
{
    /// <summary>Up to this many rows a search is an exact scan.</summary>
    public const int ExactScanLimit = 4_096;

    /// <summary>How many rows the codes shortlist for the exact ranking by default (at least; more for a larger top).</summary>
    public const int DefaultCandidates = 1_024;

    private readonly int _words = (dimensions + 63) / 64;
    private readonly Lock _appending = new();
    private volatile Rows _rows = new([], [], [], 0);

    public int Dimensions => dimensions;

    public int Count => _rows.Count;

    public void Add(ReadOnlySpan<float> vector, T item)
    {
        if (vector.Length != dimensions)
        {
            throw new ArgumentException($"The index holds vectors of {dimensions} dimensions, not {vector.Length}.", nameof(vector));
        }
        lock (_appending)
        {
            var rows = _rows;
            var (vectors, codes, items) = (rows.Vectors, rows.Codes, rows.Items);
            if (rows.Count == items.Length)
            {
                // Grown into new arrays: searches under way keep reading the old ones, which stay whole.
                var capacity = Math.Max(16, items.Length * 2);
                Array.Resize(ref vectors, capacity * dimensions);
                Array.Resize(ref codes, capacity * 2 * _words);
                Array.Resize(ref items, capacity);
            }
            vector.CopyTo(vectors.AsSpan(rows.Count * dimensions));
            Encode(vector, codes.AsSpan(rows.Count * 2 * _words, 2 * _words));
            items[rows.Count] = item;
            _rows = new Rows(vectors, codes, items, rows.Count + 1);
        }
    }

    /// <summary>The <paramref name="top"/> rows nearest <paramref name="query"/>, best first, with their positions in the order added.</summary>
    public List<(T Item, int Position, float Score)> Nearest(ReadOnlySpan<float> query, int top)
    {
        if (query.Length != dimensions)
        {
            throw new ArgumentException($"The index holds vectors of {dimensions} dimensions, not {query.Length}.", nameof(query));
        }
        var rows = _rows;
        if (top <= 0 || rows.Count == 0)
        {
            return [];
        }
        var best = new PriorityQueue<int, float>(top + 1);
        if (rows.Count <= ExactScanLimit)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                Offer(best, top, i, TensorPrimitives.Dot(rows.Vectors.AsSpan(i * dimensions, dimensions), query));
            }
        }
        else
        {
            foreach (var i in Shortlist(rows, query, Math.Max(candidates, top * 8)))
            {
                Offer(best, top, i, TensorPrimitives.Dot(rows.Vectors.AsSpan(i * dimensions, dimensions), query));
            }
        }
        var results = new List<(T, int, float)>(best.Count);
        while (best.TryDequeue(out var index, out var score))
        {
            results.Add((rows.Items[index], index, score));
        }
        results.Reverse();
        return results;
    }

    private static void Offer(PriorityQueue<int, float> best, int top, int index, float score)
    {
        if (best.Count < top)
        {
            best.Enqueue(index, score);
        }
        else if (best.TryPeek(out _, out var worst) && score > worst)
        {
            best.DequeueEnqueue(index, score);
        }
    }

    /// <summary>
    /// The rows whose codes agree best with the query's: every row scored (same-sign dimensions less opposite-sign
    /// ones), then a histogram of the scores gives the cut that keeps about <paramref name="count"/>, with no sort.
    /// </summary>
    private List<int> Shortlist(Rows rows, ReadOnlySpan<float> query, int count)
    {
        Span<ulong> code = stackalloc ulong[2 * _words];
        Encode(query, code);
        ReadOnlySpan<ulong> positive = code[.._words], negative = code[_words..];
        // Rented: a fresh array this size would be a large-object allocation on every search.
        var rented = ArrayPool<int>.Shared.Rent(rows.Count);
        var scores = rented.AsSpan(0, rows.Count);
        var histogram = new int[2 * dimensions + 1];
        var codes = rows.Codes.AsSpan();
        for (var i = 0; i < scores.Length; i++)
        {
            var row = codes.Slice(i * 2 * _words, 2 * _words);
            var score = 0;
            for (var w = 0; w < _words; w++)
            {
                // A row's positive and negative bits never overlap, nor the query's: each OR counts its two parts.
                score += BitOperations.PopCount((row[w] & positive[w]) | (row[_words + w] & negative[w]))
                    - BitOperations.PopCount((row[w] & negative[w]) | (row[_words + w] & positive[w]));
            }
            scores[i] = score;
            histogram[score + dimensions]++;
        }
        // The lowest score kept: rows above it all, rows at it until the count is reached.
        var cut = histogram.Length - 1;
        for (var kept = histogram[cut]; kept < count && cut > 0; kept += histogram[--cut])
        {
        }
        var aboveCut = 0;
        for (var s = cut + 1; s < histogram.Length; s++)
        {
            aboveCut += histogram[s];
        }
        var atCut = count - aboveCut;
        var shortlist = new List<int>(count);
        for (var i = 0; i < scores.Length; i++)
        {
            var score = scores[i] + dimensions;
            if (score > cut || (score == cut && atCut-- > 0))
            {
                shortlist.Add(i);
            }
        }
        ArrayPool<int>.Shared.Return(rented);
        return shortlist;
    }

    private void Encode(ReadOnlySpan<float> vector, Span<ulong> code)
    {
        code.Clear();
        for (var d = 0; d < vector.Length; d++)
        {
            if (vector[d] > 0)
            {
                code[d / 64] |= 1ul << (d % 64);
            }
            else if (vector[d] < 0)
            {
                code[_words + (d / 64)] |= 1ul << (d % 64);
            }
        }
    }

    /// <summary>The rows at one moment: arrays are only ever written past <see cref="Count"/>, so a reader's view stays whole.</summary>
    private sealed record Rows(float[] Vectors, ulong[] Codes, T[] Items, int Count);
}
