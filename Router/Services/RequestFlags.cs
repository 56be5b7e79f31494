using System.Text.RegularExpressions;

namespace Router.Services;

/// <summary>Cheap, deterministic signals in a request's text: code, math, a specialist domain.</summary>
public static partial class RequestFlags
{
    private static readonly (string Domain, string[] Words)[] Domains =
    [
        ("legal", ["contract", "clause", "liability", "lawsuit", "statute", "gdpr"]),
        ("medical", ["diagnosis", "symptom", "dosage", "patient", "clinical", "medication"]),
        ("finance", ["invoice", "revenue", "ebitda", "portfolio", "interest rate", "tax"]),
    ];

    public static bool Code(string text) => text.Contains("```", StringComparison.Ordinal) || CodeWords().IsMatch(text);

    public static bool Math(string text) => MathPattern().IsMatch(text);

    public static string? Domain(string text)
    {
        foreach (var (domain, words) in Domains)
        {
            if (Array.Exists(words, word => text.Contains(word, StringComparison.OrdinalIgnoreCase)))
            {
                return domain;
            }
        }
        return null;
    }

    [GeneratedRegex(@"\b(def|class|function|public static|SELECT|compile|stack trace|exception|bug|regex|python|javascript|typescript|c#|rust|golang|java)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CodeWords();

    [GeneratedRegex(@"(\d+\s*[-+*/^=]\s*\d+)|\b(solve|equation|integral|derivative|probability|prove|theorem|calculate)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MathPattern();
}
