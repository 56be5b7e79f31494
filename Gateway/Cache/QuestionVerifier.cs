using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Lucene.Net.Tartarus.Snowball.Ext;
using Microsoft.Extensions.Options;

namespace Gateway.Cache;

/// <summary>
/// The semantic cache's second look: two questions near in embedding space may still ask different things ("refund
/// policy" and "shipping policy" are near; so are "student discount" and "senior discount", "ascending" and
/// "descending"). A stored question answers a new one only if they agree on what a sentence embedding blurs: the same
/// numbers and identifiers in the same order, the same negations, the same direction ("from Boston to Denver" is not
/// "from Denver to Boston", nor "noon in London" "noon in Tokyo" with the cities swapped), and the same content words:
/// each of one question's words has one of the other's with the same stem ("included", "include") or nearly the same
/// vector (<see cref="CacheOptions.SemanticWordSimilarity"/>, word against word with the same model: "users" and
/// "user"), or only frames the question ("usually", "the best way", "someone explain").
/// Precision first: a reworded question that changes its content words misses, because a word's vector cannot tell
/// a synonym ("deliver", "ship": 0.63) from a rival ("student", "senior": 0.61) and a wrong answer costs more than a
/// model call. The labelled evaluation (<c>semantic-eval</c> benchmark) measures both sides.
/// </summary>
public sealed partial class QuestionVerifier(LocalEmbeddingGenerator embeddings, IOptions<CacheOptions> options)
{
    // Word vectors are asked for again and again (questions share their vocabulary); past this many the cache starts over.
    private const int MaxCachedWords = 50_000;

    private readonly ConcurrentDictionary<string, float[]> _words = new(StringComparer.Ordinal);

    public async Task<bool> SameQuestionAsync(string asked, string stored, CancellationToken cancellationToken = default) =>
        await CompareAsync(asked, stored, cancellationToken) is null;

    /// <summary>Null when the questions agree; otherwise why they do not.</summary>
    public async Task<string?> CompareAsync(string asked, string stored, CancellationToken cancellationToken = default)
    {
        var (a, b) = (Words(asked), Words(stored));
        if (!a.Where(HasDigit).SequenceEqual(b.Where(HasDigit)))
        {
            return "numbers or identifiers differ";
        }
        if (a.Count(Negations.Contains) != b.Count(Negations.Contains))
        {
            return "negation differs";
        }
        var (entitiesA, entitiesB) = (Entities(asked), Entities(stored));
        if (entitiesA.ToHashSet().SetEquals(entitiesB) && !entitiesA.SequenceEqual(entitiesB))
        {
            return "names in another order";
        }
        var (contentA, contentB) = (Content(a), Content(b));
        var (stemsA, stemsB) = (contentA.ConvertAll(Stem), contentB.ConvertAll(Stem));
        if (stemsA.ToHashSet().SetEquals(stemsB))
        {
            return !stemsA.SequenceEqual(stemsB) && (a.Any(Directions.Contains) || b.Any(Directions.Contains)) ? "direction differs" : null;
        }
        var unmatchedA = contentA.Where((word, i) => !stemsB.Contains(stemsA[i]) && !Framing.Contains(word)).ToList();
        var unmatchedB = contentB.Where((word, i) => !stemsA.Contains(stemsB[i]) && !Framing.Contains(word)).ToList();
        if (unmatchedA.Count == 0 && unmatchedB.Count == 0)
        {
            return null;
        }
        var vectors = await VectorsAsync([.. contentA.Union(contentB)], cancellationToken);
        var least = options.Value.SemanticWordSimilarity;
        foreach (var (unmatched, other) in new[] { (unmatchedA, contentB), (unmatchedB, contentA) })
        {
            foreach (var word in unmatched)
            {
                var best = other.Count == 0 ? 0 : other.Max(o => TensorPrimitives.Dot(vectors[word], vectors[o]));
                if (best < least)
                {
                    return $"'{word}' has no counterpart (best {best:0.00})";
                }
            }
        }
        return null;
    }

    /// <summary>The numbers and identifiers of a question in order, as one string: two questions the verifier may call the same have equal ones.</summary>
    public static string Identifiers(string question) => string.Join(' ', Words(question).Where(HasDigit));

    /// <summary>The question's words: lower case, contractions spelled out ("isn't" is "is not"), identifiers kept whole ("xr-220", "3.12").</summary>
    public static List<string> Words(string text)
    {
        var spelledOut = Contractions().Replace(text.ToLowerInvariant().Replace('’', '\''), match => match.Value switch
        {
            "can't" => "can not",
            "won't" => "will not",
            var other when other.EndsWith("n't", StringComparison.Ordinal) => $"{other[..^3]} not",
            var other => other[..other.IndexOf('\'', StringComparison.Ordinal)],
        });
        return [.. Word().Matches(spelledOut).Select(match => match.Value)];
    }

    /// <summary>The word's stem (Snowball English: "included" and "include" are "includ").</summary>
    public static string Stem(string word)
    {
        var stemmer = new EnglishStemmer();
        stemmer.SetCurrent(word);
        stemmer.Stem();
        return stemmer.Current;
    }

    /// <summary>The capitalised words after a sentence's first, lower case: names of places, products, people.</summary>
    private static List<string> Entities(string text) =>
        [.. Name().Matches(text).Select(match => match.Groups[1].Value.ToLowerInvariant())];

    private static List<string> Content(List<string> words) => [.. words.Where(word => !StopWords.Contains(word) && !HasDigit(word))];

    private static bool HasDigit(string word) => word.Any(char.IsAsciiDigit);

    private async Task<Dictionary<string, float[]>> VectorsAsync(List<string> words, CancellationToken cancellationToken)
    {
        var vectors = new Dictionary<string, float[]>(words.Count, StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var word in words)
        {
            if (_words.TryGetValue(word, out var vector))
            {
                vectors[word] = vector;
            }
            else
            {
                missing.Add(word);
            }
        }
        if (missing.Count > 0)
        {
            var generated = await embeddings.GenerateAsync(missing, cancellationToken: cancellationToken);
            if (_words.Count + missing.Count > MaxCachedWords)
            {
                _words.Clear();
            }
            for (var i = 0; i < missing.Count; i++)
            {
                _words[missing[i]] = vectors[missing[i]] = generated[i].Vector.ToArray();
            }
        }
        return vectors;
    }

    private static readonly HashSet<string> Negations = ["not", "no", "never", "without", "none", "nothing", "nobody", "neither", "nor", "cannot"];

    // Words that give a sentence a direction, so that the order of its content words matters.
    private static readonly HashSet<string> Directions = ["to", "from", "into", "than", "vs", "versus", "before", "after"];

    // Words that carry no content a cached answer depends on: articles, pronouns, auxiliaries, prepositions,
    // question framing and politeness. Negations, numbers and the words that ask where, when, who or why stay.
    private static readonly HashSet<string> StopWords =
    [
        "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "i", "me", "my", "mine", "you",
        "your", "yours", "we", "us", "our", "it", "its", "they", "them", "their", "this", "that", "these", "those", "there", "here",
        "to", "of", "in", "on", "at", "by", "for", "with", "about", "as", "and", "or", "so", "can", "could", "would", "should", "will",
        "shall", "may", "might", "must", "please", "pls", "thanks", "thank", "tell", "know", "want", "like", "just", "what", "which",
        "how", "hi", "hello", "hey", "kindly", "possible", "able", "way", "wondering", "wonder", "question", "actually", "exactly",
        "currently", "really", "any", "some", "if", "there's", "s", "t", "d", "ll", "re", "ve", "m", "let", "need", "find", "out", "get",
    ];

    // Words that frame a question without changing what it asks; they may stand on one side alone.
    private static readonly HashSet<string> Framing =
    [
        "usually", "typically", "generally", "normally", "currently", "available", "possible", "allowed", "process", "way", "ways",
        "best", "easiest", "simplest", "quickest", "ideal", "someone", "explain", "steps", "method", "command", "have", "has", "getting",
        "use", "using", "also", "still", "ever", "go", "make", "option", "options", "anything", "something", "info", "information",
        "details", "per",
    ];

    [GeneratedRegex(@"(?<![.!?]\s*|^\s*)\b(\p{Lu}[\p{L}\p{N}]+)")]
    private static partial Regex Name();

    [GeneratedRegex(@"\b\w+'\w+\b")]
    private static partial Regex Contractions();

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:[.\-/:][\p{L}\p{N}]+)*")]
    private static partial Regex Word();
}
