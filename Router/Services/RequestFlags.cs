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

    // Words that give an intent away, in the order the rules trust them.
    private static readonly (string Intent, Regex Words)[] IntentCues =
    [
        ("translate", Cue(@"translat\w*|locali[sz]\w*|(in|into) (formal |informal )?(english|french|german|spanish|italian|portuguese|dutch|swedish|norwegian|danish|finnish|polish|russian|ukrainian|greek|turkish|arabic|hebrew|hindi|chinese|japanese|korean|vietnamese|thai)")),
        ("summarize", Cue(@"summar\w*|tl;?dr|gist|recap\w*|condense\w*|shorten\w*|takeaways?|sum up|key points|highlights|overview")),
        ("extract", Cue(@"extract\w*|pull (out|the)|parse|as json|into a table|every (email|name|date|address|number)|(list|find|identify) (all|every)|mentioned in")),
        ("creative", Cue(@"poem|poetry|haiku|limerick|sonnet|verses?|lyrics|song|story|stories|fairy tale|novel|fiction|fantasy|slogan|tagline|motto|brainstorm|names for|toast|speech|greeting|birthday|joke|riddle|screenplay|imagine|invent")),
        ("reasoning", Cue(@"trade-?offs?|pros and cons|should (we|i)|weigh|critique|critically|assess\w*|evaluate|prioriti[sz]e|justify|decide|recommend|root cause|risks?|implications|consequences|argue|why (might|would|did)|strategy")),
        ("chitchat", Cue(@"^(hi|hey|hello|good (morning|evening|night)|thanks?|thank you|cheers|bye)\b|how are you|how is your|are you (a|an|human)|your (name|favou?rite)")),
    ];

    /// <summary>The intents whose cue words the text holds, most trusted first.</summary>
    public static List<string> Cues(string text)
    {
        List<string> cues = [];
        if (Code(text))
        {
            cues.Add("code");
        }
        if (Math(text))
        {
            cues.Add("math");
        }
        cues.AddRange(IntentCues.Where(cue => cue.Words.IsMatch(text)).Select(cue => cue.Intent));
        return cues;
    }

    private static Regex Cue(string words) => new($@"\b({words})\b", RegexOptions.IgnoreCase | RegexOptions.Compiled | RegexOptions.CultureInvariant);

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

    [GeneratedRegex(@"\b(def|class|function|public static|SELECT|compile|stack trace|exception|bug|regex|python|javascript|typescript|c#|rust|golang|java|sql|node\.js|react|docker|api|unit tests?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CodeWords();

    [GeneratedRegex(@"(\d+\s*[-+*/^=]\s*\d+)|\b(solve|equation|integral|integrate|derivative|probability|prove|theorem|calculate|compute|prime|fraction|area of|volume of|sum of)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MathPattern();
}
