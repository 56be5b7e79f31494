using System.Net;
using System.Text;
using AngleSharp.Html.Parser;
using Orchestrator.Model;

namespace Orchestrator.Agents;

/// <summary>
/// The built-in <c>http_fetch</c>: a GET of a page on a host the tenant allowed, as text. Its client connects only to
/// public addresses (or networks an operator allows) and follows no redirect by itself: each is followed here only
/// when it stays on the allow-list. Bodies are read up to <see cref="MaxBytes"/>, and only text is returned.
/// </summary>
public sealed class HttpFetch(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "fetch";
    public const int MaxBytes = 512 * 1024;
    public const int MaxChars = 20_000;
    private const int MaxRedirects = 5;

    public async Task<string> FetchAsync(FetchAllowList allowList, string address, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(url.UserInfo))
        {
            throw new ArgumentException($"'{address}' is not an http or https URL.");
        }
        using var http = httpClients.CreateClient(HttpClientName);
        for (var redirects = 0; ; redirects++)
        {
            if (!allowList.Allows(url))
            {
                throw new InvalidOperationException(redirects == 0
                    ? $"The host '{url.Host}' is not on the tenant's fetch allow-list."
                    : $"The page redirected to '{url}', whose host is not on the tenant's fetch allow-list.");
            }
            using var response = await GetAsync(http, url, cancellationToken);
            if (response.StatusCode is >= HttpStatusCode.MovedPermanently and <= HttpStatusCode.PermanentRedirect && response.Headers.Location is { } location)
            {
                if (redirects == MaxRedirects)
                {
                    throw new InvalidOperationException($"More than {MaxRedirects} redirects from '{address}'.");
                }
                url = new Uri(url, location);
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
            var type = response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
            if (!IsText(type))
            {
                throw new InvalidOperationException($"GET {url} answered {type}, which is not text.");
            }
            var (body, truncated) = await ReadAsync(response.Content, cancellationToken);
            var text = type == "text/html" ? HtmlText(body) : body;
            truncated |= text.Length > MaxChars;
            return $"{url} ({type}{(truncated ? ", truncated" : "")}):\n{(text.Length > MaxChars ? text[..MaxChars] : text)}";
        }
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // The innermost reason (a refused address, a name that does not resolve) is what the model can act on.
            throw new InvalidOperationException($"GET {url} failed: {ex.GetBaseException().Message}", ex);
        }
    }

    private static bool IsText(string type) =>
        type.StartsWith("text/", StringComparison.Ordinal) || type is "application/json" or "application/xml" or "application/xhtml+xml"
        || type.EndsWith("+json", StringComparison.Ordinal) || type.EndsWith("+xml", StringComparison.Ordinal);

    private static async Task<(string Body, bool Truncated)> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBytes + 1];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is > 0 and var count)
        {
            read += count;
        }
        var truncated = read > MaxBytes;
        return (Encoding.UTF8.GetString(buffer, 0, Math.Min(read, MaxBytes)), truncated);
    }

    // What a reader sees: the title and the body's text, without scripts and styles, in collapsed whitespace.
    private static string HtmlText(string html)
    {
        using var document = new HtmlParser().ParseDocument(html);
        foreach (var hidden in document.QuerySelectorAll("script, style, noscript, template"))
        {
            hidden.Remove();
        }
        var text = string.Join(' ', (document.Body?.TextContent ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return document.Title is { Length: > 0 } title ? $"# {title}\n{text}" : text;
    }
}
