using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Ingestion.Services;

/// <summary>
/// Plain text from an uploaded document, with headings kept as Markdown (<c># Title</c>) so the chunker can respect
/// them: txt and md as they are, html through AngleSharp (scripts and styles dropped), pdf through PdfPig (page by
/// page), docx through the Open XML SDK (heading styles become headings). Whitespace is normalised.
/// </summary>
public static partial class TextExtractor
{
    public const string PlainText = "text/plain";
    public const string Markdown = "text/markdown";
    public const string Html = "text/html";
    public const string Pdf = "application/pdf";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    public static readonly IReadOnlySet<string> Supported = new HashSet<string> { PlainText, Markdown, Html, Pdf, Docx };

    /// <summary>The content type of a file by its extension, or null when the format is not supported.</summary>
    public static string? ContentTypeOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".txt" or ".text" => PlainText,
        ".md" or ".markdown" => Markdown,
        ".html" or ".htm" => Html,
        ".pdf" => Pdf,
        ".docx" => Docx,
        _ => null,
    };

    public static string Extract(byte[] content, string contentType) => Clean(contentType switch
    {
        Html => FromHtml(content),
        Pdf => FromPdf(content),
        Docx => FromDocx(content),
        _ => Encoding.UTF8.GetString(content),
    });

    private static string FromHtml(byte[] content)
    {
        using var document = new HtmlParser().ParseDocument(Encoding.UTF8.GetString(content));
        foreach (var hidden in document.QuerySelectorAll("script, style, noscript, template"))
        {
            hidden.Remove();
        }
        var text = new StringBuilder();
        var body = document.Body ?? throw new InvalidDataException("The HTML has no body.");
        foreach (var block in body.QuerySelectorAll("h1, h2, h3, h4, h5, h6, p, li, pre, td, th, blockquote"))
        {
            // Nested blocks (a p inside an li) are written once, by the innermost.
            if (block.QuerySelector("p, li, pre, td, th, blockquote") is not null)
            {
                continue;
            }
            var level = block.LocalName is ['h', var digit] && char.IsDigit(digit) ? digit - '0' : 0;
            text.Append(level > 0 ? new string('#', level) + " " : "").AppendLine(block.TextContent).AppendLine();
        }
        return text.Length > 0 ? text.ToString() : body.TextContent;
    }

    private static string FromPdf(byte[] content)
    {
        using var pdf = PdfDocument.Open(content);
        var text = new StringBuilder();
        foreach (var page in pdf.GetPages())
        {
            text.AppendLine(ContentOrderTextExtractor.GetText(page)).AppendLine();
        }
        return text.ToString();
    }

    private static string FromDocx(byte[] content)
    {
        using var stream = new MemoryStream(content);
        using var word = WordprocessingDocument.Open(stream, isEditable: false);
        var body = word.MainDocumentPart?.Document?.Body ?? throw new InvalidDataException("The document has no body.");
        var text = new StringBuilder();
        foreach (var paragraph in body.Descendants<Paragraph>())
        {
            var style = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value ?? "";
            var level = style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) && int.TryParse(style.AsSpan(7), out var n) ? n : style == "Title" ? 1 : 0;
            text.Append(level > 0 ? new string('#', Math.Min(level, 6)) + " " : "").AppendLine(paragraph.InnerText).AppendLine();
        }
        return text.ToString();
    }

    /// <summary>Spaces and tabs folded, lines trimmed, at most one blank line in a row, control characters dropped.</summary>
    private static string Clean(string text)
    {
        text = ControlCharacters().Replace(text.Replace("\r\n", "\n").Replace('\r', '\n'), "");
        text = HorizontalSpace().Replace(text, " ");
        text = string.Join('\n', text.Split('\n').Select(line => line.Trim()));
        return BlankLines().Replace(text, "\n\n").Trim();
    }

    [GeneratedRegex(@"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]")]
    private static partial Regex ControlCharacters();

    [GeneratedRegex(@"[ \t\u00A0]+")]
    private static partial Regex HorizontalSpace();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}
