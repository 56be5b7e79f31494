using System.Text;
using Microsoft.Extensions.AI;

namespace Gateway.Knowledge;

/// <summary>
/// The tenant's documents, searched through Ingestion as the tenant: for the MCP tool <c>knowledge_search</c>, and to
/// ground a chat request (the <c>retrieval</c> extension), where the chunks nearest to its last question go first in
/// the conversation as numbered sources.
/// </summary>
public sealed partial class KnowledgeClient(HttpClient http, ILogger<KnowledgeClient> logger)
{
    /// <summary>The tenant's chunks nearest to <paramref name="query"/>, best first.</summary>
    public async Task<List<Citation>> SearchAsync(string query, int top, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/v1/ingestion/search", new { query, top }, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SearchResults>(cancellationToken))?.Results ?? [];
    }

    /// <summary>The sources for a question, as <see cref="SearchAsync"/>; none when the search fails.</summary>
    public async Task<List<Citation>> SourcesForAsync(string question, int top, CancellationToken cancellationToken)
    {
        try
        {
            return await SearchAsync(question, top, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // Without its sources the model still answers; the response says how many it had (x-citations: 0).
            Log.SearchFailed(logger, ex);
            return [];
        }
    }

    /// <summary>The request's messages with the sources in a system message before them.</summary>
    public static List<ChatMessage> Ground(IList<ChatMessage> messages, List<Citation> sources)
    {
        var context = new StringBuilder("Answer from the sources below when they hold the answer, and cite them by number, as [1]. If they do not, say so.\n");
        for (var i = 0; i < sources.Count; i++)
        {
            context.Append('\n').Append('[').Append(i + 1).Append("] ").Append(sources[i].DocumentName);
            if (sources[i].Heading is { } heading)
            {
                context.Append(" — ").Append(heading);
            }
            context.Append('\n').Append(sources[i].Text).Append('\n');
        }
        return [new ChatMessage(ChatRole.System, context.ToString()), .. messages];
    }

    private sealed record SearchResults(List<Citation> Results);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Document search failed; answering without sources.")]
        public static partial void SearchFailed(ILogger logger, Exception exception);
    }
}

/// <summary>A source an answer was grounded in: a chunk of one of the tenant's documents.</summary>
public sealed record Citation(Guid DocumentId, string DocumentName, int ChunkIndex, string? Heading, string Text, float Score);
