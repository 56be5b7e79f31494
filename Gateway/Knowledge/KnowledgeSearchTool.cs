using System.ComponentModel;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Gateway.Knowledge;

/// <summary>
/// <c>knowledge_search</c> on the Gateway's MCP server: the calling tenant's passages nearest to a query, numbered with
/// their sources, and the same as structured <c>citations</c>. Ingestion meters the query's embedding, so the call
/// needs no usage event of its own.
/// </summary>
[McpServerToolType]
public static class KnowledgeSearchTool
{
    private const int MaxQueryLength = 8192;
    private const int MaxTop = 50;

    [McpServerTool(Name = "knowledge_search", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Searches the tenant's documents: the passages nearest to the query, best first, each with its source.")]
    public static async Task<CallToolResult> SearchAsync(
        KnowledgeClient knowledge,
        [Description("What to look for.")] string query,
        [Description("How many passages, 1 to 50.")] int top = 5,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(query) || query.Length > MaxQueryLength)
        {
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = $"A query of 1 to {MaxQueryLength} characters is required." }] };
        }
        List<Citation> found;
        try
        {
            found = await knowledge.SearchAsync(query, Math.Clamp(top, 1, MaxTop), cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // The SDK logs it and answers an error result with this message.
            throw new McpException("The document search is unavailable; try again.", ex);
        }
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = Passages(found) }],
            StructuredContent = JsonSerializer.SerializeToElement(new { citations = found }, JsonSerializerOptions.Web),
        };
    }

    private static string Passages(List<Citation> found)
    {
        if (found.Count == 0)
        {
            return "No passage of the tenant's documents matches the query.";
        }
        var text = new StringBuilder();
        for (var i = 0; i < found.Count; i++)
        {
            var source = found[i];
            text.Append('[').Append(i + 1).Append("] ").Append(source.DocumentName);
            if (source.Heading is { } heading)
            {
                text.Append(" — ").Append(heading);
            }
            text.Append(" (document ").Append(source.DocumentId).Append(", chunk ").Append(source.ChunkIndex).Append(")\n")
                .Append(source.Text).Append("\n\n");
        }
        return text.ToString().TrimEnd();
    }
}
