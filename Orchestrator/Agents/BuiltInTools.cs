using System.ComponentModel;
using System.Data;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.AI;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// The tools every tenant's agents may be given by name: a calculator, the tenant's knowledge search, and a fetch of
/// pages on the hosts the tenant allowed.
/// </summary>
public sealed class BuiltInTools(IHttpClientFactory httpClients, InternalTokenIssuer tokens, HttpFetch fetch)
{
    public const string Calculator = "calculator";
    public const string KnowledgeSearch = "knowledge_search";
    public const string HttpFetchTool = "http_fetch";

    public static readonly IReadOnlyList<string> Names = [Calculator, KnowledgeSearch, HttpFetchTool];

    /// <summary>The built-in tools named in <paramref name="allowed"/>, acting for <paramref name="tenantId"/>; a fetch only within <paramref name="fetchAllowList"/>.</summary>
    public IEnumerable<AIFunction> For(IReadOnlySet<string> allowed, Guid tenantId, Guid keyId, FetchAllowList fetchAllowList)
    {
        if (allowed.Contains(Calculator))
        {
            yield return AIFunctionFactory.Create(Calculate, Calculator, "Evaluates an arithmetic expression (+ - * / %, parentheses, decimals) and returns the number.");
        }
        if (allowed.Contains(KnowledgeSearch))
        {
            yield return AIFunctionFactory.Create(
                ([Description("What to look for in the tenant's documents.")] string query, [Description("How many passages, 1 to 10.")] int top, CancellationToken cancellationToken) =>
                    SearchAsync(tenantId, keyId, query, Math.Clamp(top, 1, 10), cancellationToken),
                KnowledgeSearch,
                "Searches the tenant's documents and returns numbered passages with their sources, to cite as [n].");
        }
        if (allowed.Contains(HttpFetchTool))
        {
            var hosts = fetchAllowList.Hosts.Count == 0 ? "none yet" : string.Join(", ", fetchAllowList.Hosts);
            yield return AIFunctionFactory.Create(
                ([Description("The page's http or https URL.")] string url, CancellationToken cancellationToken) => fetch.FetchAsync(fetchAllowList, url, cancellationToken),
                HttpFetchTool,
                $"Fetches a web page (GET) and returns its text. Only these hosts may be fetched: {hosts}.");
        }
    }

    // DataTable's expression evaluator: arithmetic only, no names it could resolve, nothing it could run.
    private static string Calculate([Description("The expression, such as (17.5 * 4) / 3.")] string expression)
    {
        if (expression.Length > 256 || expression.Any(c => !(char.IsAsciiDigit(c) || " .+-*/%()".Contains(c))))
        {
            throw new ArgumentException("Only numbers, + - * / %, parentheses and spaces are allowed, up to 256 characters.");
        }
        using var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        return Convert.ToDecimal(table.Compute(expression, null), CultureInfo.InvariantCulture).ToString("0.############", CultureInfo.InvariantCulture);
    }

    private async Task<string> SearchAsync(Guid tenantId, Guid keyId, string query, int top, CancellationToken cancellationToken)
    {
        using var http = httpClients.CreateClient("ingestion");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/ingestion/search") { Content = JsonContent.Create(new { query, top }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.IssueForTenant(tenantId, keyId.ToString()));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var results = (await response.Content.ReadFromJsonAsync<SearchResults>(cancellationToken))?.Results ?? [];
        if (results.Count == 0)
        {
            return "No passage of the tenant's documents matches.";
        }
        var text = new StringBuilder();
        for (var i = 0; i < results.Count; i++)
        {
            var source = results[i];
            text.Append('[').Append(i + 1).Append("] ").Append(source.DocumentName).Append(" (document ").Append(source.DocumentId).Append(", chunk ").Append(source.ChunkIndex).Append(")\n")
                .Append(source.Text).Append("\n\n");
        }
        return text.ToString();
    }

    private sealed record SearchResults(List<SearchResult> Results);

    private sealed record SearchResult(Guid DocumentId, string DocumentName, int ChunkIndex, string Text);
}
