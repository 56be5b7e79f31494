using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace Ingestion.Services;

/// <summary>
/// Token-aware chunks with the o200k tokenizer: a document is split at its Markdown headings into sections, each
/// section's paragraphs are packed into chunks of at most <see cref="IngestionOptions.ChunkTokens"/>, and each chunk
/// after the first of a section starts with the last <see cref="IngestionOptions.ChunkOverlapTokens"/> of the one
/// before, so a sentence cut at a boundary is whole in one of them. A paragraph longer than a chunk is cut by tokens.
/// </summary>
public sealed class Chunker(IOptions<IngestionOptions> options)
{
    private static readonly TiktokenTokenizer Tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

    public List<TextChunk> Split(string text)
    {
        var chunks = new List<TextChunk>();
        foreach (var (heading, paragraphs) in Sections(text))
        {
            var current = new List<(string Text, int Tokens)>();
            var tokens = 0;
            var overlap = "";
            foreach (var (paragraph, count) in paragraphs.SelectMany(SplitLong))
            {
                if (tokens + count > options.Value.ChunkTokens && current.Count > 0)
                {
                    var body = string.Join("\n\n", current.Select(p => p.Text));
                    chunks.Add(Chunk(heading, overlap, body));
                    // The overlap comes from the last paragraph when it is long enough: no need to encode the whole body again.
                    overlap = Tail(current[^1].Tokens >= options.Value.ChunkOverlapTokens ? current[^1].Text : body);
                    current.Clear();
                    tokens = Tokenizer.CountTokens(overlap);
                }
                current.Add((paragraph, count));
                tokens += count;
            }
            if (current.Count > 0)
            {
                chunks.Add(Chunk(heading, overlap, string.Join("\n\n", current.Select(p => p.Text))));
            }
        }
        return chunks;
    }

    private static TextChunk Chunk(string? heading, string overlap, string body)
    {
        var text = overlap.Length > 0 ? $"{overlap} {body}" : body;
        return new TextChunk(heading, text, Tokenizer.CountTokens(text));
    }

    /// <summary>The document's sections: the heading each starts with (null before the first) and its paragraphs.</summary>
    private static IEnumerable<(string? Heading, List<string> Paragraphs)> Sections(string text)
    {
        string? heading = null;
        var paragraphs = new List<string>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (block.StartsWith('#') && !block.Contains('\n'))
            {
                if (paragraphs.Count > 0)
                {
                    yield return (heading, paragraphs);
                    paragraphs = [];
                }
                heading = block.TrimStart('#').Trim();
                // The heading is part of its section's first chunk, so a search for it finds the section.
                paragraphs.Add(block);
                continue;
            }
            paragraphs.Add(block);
        }
        if (paragraphs.Count > 0)
        {
            yield return (heading, paragraphs);
        }
    }

    /// <summary>The paragraph, or its pieces when it is longer than a chunk, with their token counts.</summary>
    private IEnumerable<(string Text, int Tokens)> SplitLong(string paragraph)
    {
        var ids = Tokenizer.EncodeToIds(paragraph);
        if (ids.Count <= options.Value.ChunkTokens)
        {
            yield return (paragraph, ids.Count);
            yield break;
        }
        for (var start = 0; start < ids.Count; start += options.Value.ChunkTokens)
        {
            var piece = ids.Skip(start).Take(options.Value.ChunkTokens).ToList();
            yield return (Tokenizer.Decode(piece), piece.Count);
        }
    }

    private string Tail(string text)
    {
        var ids = Tokenizer.EncodeToIds(text);
        return ids.Count <= options.Value.ChunkOverlapTokens ? text : Tokenizer.Decode(ids.Skip(ids.Count - options.Value.ChunkOverlapTokens)).Trim();
    }
}

public sealed record TextChunk(string? Heading, string Text, int TokenCount);
