using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Platform.Guardrails;

/// <summary>
/// Finds personal data and secrets in text, after Presidio's recognisers: a pattern proposes and a check confirms
/// (Luhn for cards, ISO 13616's mod 97 for IBANs, the SSA's rules for SSNs, libphonenumber for phones, the address
/// parser for IPs), and what has no structure of its own (names, dates of birth, medical record numbers, bare digit
/// runs) needs a cue just before it. Where findings overlap, the surest wins, then the longest.
/// </summary>
public static partial class PiiScanner
{
    // How far before a candidate its cue may stand ("born on", "MRN:", "call me at").
    private const int CueWindow = 32;
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static IReadOnlyList<PiiFinding> Scan(string text, string defaultRegion = "US")
    {
        var found = new List<PiiFinding>();
        foreach (Match match in EmailPattern().Matches(text))
        {
            found.Add(new(PiiEntity.Email, match.Index, match.Length, 1.0));
        }
        foreach (Match match in CardPattern().Matches(text))
        {
            if (IsCard(Digits(match.Value)))
            {
                found.Add(new(PiiEntity.CreditCard, match.Index, match.Length, 1.0));
            }
        }
        foreach (Match match in IbanPattern().Matches(text))
        {
            if (IsIban(match.Value))
            {
                found.Add(new(PiiEntity.Iban, match.Index, match.Length, 1.0));
            }
        }
        foreach (Match match in SsnPattern().Matches(text))
        {
            var cued = HasCue(text, match.Index, SsnCue());
            // Nine digits in a row are an SSN only where the text says so.
            if (IsSsn(match.Groups["area"].Value, match.Groups["group"].Value, match.Groups["serial"].Value) && (match.Groups["sep"].Length > 0 || cued))
            {
                found.Add(new(PiiEntity.UsSsn, match.Index, match.Length, cued ? 1.0 : 0.85));
            }
        }
        foreach (Match match in IpPattern().Matches(text))
        {
            if (IPAddress.TryParse(match.Value, out _) && (match.Value.Contains(':') || match.Value.Count(c => c == '.') == 3))
            {
                found.Add(new(PiiEntity.IpAddress, match.Index, match.Length, 0.95));
            }
        }
        AddPhones(found, text, defaultRegion);
        foreach (Match match in DatePattern().Matches(text))
        {
            if (IsPastDate(match.Value) && HasCue(text, match.Index, BirthCue()))
            {
                found.Add(new(PiiEntity.DateOfBirth, match.Index, match.Length, 0.9));
            }
        }
        foreach (Match match in PersonPattern().Matches(text))
        {
            var name = match.Groups["name"];
            found.Add(new(PiiEntity.Person, name.Index, name.Length, 0.75));
        }
        foreach (Match match in AddressPattern().Matches(text))
        {
            found.Add(new(PiiEntity.Address, match.Index, match.Length, 0.8));
        }
        foreach (Match match in MedicalRecordPattern().Matches(text))
        {
            var id = match.Groups["id"];
            found.Add(new(PiiEntity.MedicalRecordNumber, id.Index, id.Length, 0.9));
        }
        foreach (Match match in KnownSecretPattern().Matches(text))
        {
            found.Add(new(PiiEntity.Secret, match.Index, match.Length, 1.0));
        }
        foreach (Match match in TokenPattern().Matches(text))
        {
            if (LooksRandom(match.Value))
            {
                found.Add(new(PiiEntity.Secret, match.Index, match.Length, 0.7));
            }
        }
        return Resolve(found);
    }

    /// <summary>Luhn's checksum, on a plausible card length and issuer prefix.</summary>
    public static bool IsCard(string digits)
    {
        if (digits.Length is < 13 or > 19 || !CardIssuerPrefix().IsMatch(digits))
        {
            return false;
        }
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            }
            sum += digit;
        }
        return sum % 10 == 0;
    }

    /// <summary>ISO 13616: the country's length, and the number read with its first four characters last is 1 mod 97.</summary>
    public static bool IsIban(string candidate)
    {
        var iban = candidate.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (!IbanLengths.TryGetValue(iban[..2], out var length) || iban.Length != length)
        {
            return false;
        }
        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetterUpper(c) ? c - 'A' + 10 : -1;
            if (value < 0)
            {
                return false;
            }
            remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
        }
        return remainder == 1;
    }

    /// <summary>The SSA never issues area 000, 666 or 900–999, group 00 or serial 0000.</summary>
    public static bool IsSsn(string area, string group, string serial) =>
        area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000";

    // Phones in international form (+…) anywhere; in national form where they are written as phones are
    // (separators or brackets) or a cue precedes them, since bare digit runs are as often order or account numbers.
    private static void AddPhones(List<PiiFinding> found, string text, string defaultRegion)
    {
        foreach (var match in Phones.FindNumbers(text, defaultRegion, PhoneNumberUtil.Leniency.VALID, long.MaxValue))
        {
            var raw = match.RawString;
            var international = raw.StartsWith('+');
            var formatted = raw.Any(c => c is ' ' or '-' or '.' or '(' or ')');
            if (international || formatted || HasCue(text, match.Start, PhoneCue()))
            {
                found.Add(new(PiiEntity.Phone, match.Start, raw.Length, international ? 0.95 : 0.9));
            }
        }
    }

    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "M/d/yyyy", "d/M/yyyy", "M-d-yyyy", "d.M.yyyy", "d-M-yyyy", "MMMM d, yyyy", "MMMM d yyyy", "MMM d, yyyy", "MMM d yyyy", "d MMMM yyyy", "d MMM yyyy", "MMM. d, yyyy"];

    private static bool IsPastDate(string value)
    {
        return DateTime.TryParseExact(value, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var date)
            && date.Year >= 1900 && date <= DateTime.UtcNow;
    }

    /// <summary>A long token of letters, digits and symbols mixed as a random key's are (over 4 bits a character: more than hex can be).</summary>
    private static bool LooksRandom(string token)
    {
        if (!token.Any(char.IsAsciiDigit) || !token.Any(char.IsAsciiLetterUpper) || !token.Any(char.IsAsciiLetterLower))
        {
            return false;
        }
        var entropy = token.GroupBy(c => c).Select(g => (double)g.Count() / token.Length).Sum(p => -p * Math.Log2(p));
        return entropy > 4.0;
    }

    private static bool HasCue(string text, int start, Regex cue)
    {
        var from = Math.Max(0, start - CueWindow);
        return cue.IsMatch(text.AsSpan(from, start - from));
    }

    private static string Digits(string value) => string.Concat(value.Where(char.IsAsciiDigit));

    private static List<PiiFinding> Resolve(List<PiiFinding> found)
    {
        var kept = new List<PiiFinding>();
        foreach (var finding in found.OrderByDescending(f => f.Score).ThenByDescending(f => f.Length))
        {
            if (!kept.Any(k => finding.Start < k.End && k.Start < finding.End))
            {
                kept.Add(finding);
            }
        }
        kept.Sort((a, b) => a.Start.CompareTo(b.Start));
        return kept;
    }

    // Each country's IBAN length (ISO 13616's registry), as country code and length.
    private static readonly Dictionary<string, int> IbanLengths = (
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 " +
        "EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 " +
        "KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 " +
        "PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 TN24 TR26 UA29 VA22 VG24 XK20")
        .Split(' ').ToDictionary(entry => entry[..2], entry => int.Parse(entry[2..], CultureInfo.InvariantCulture));

    [GeneratedRegex(@"(?<![\w.+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|35|6011|64[4-9]|65|62)")]
    private static partial Regex CardIssuerPrefix();

    // Written whole, or in groups of four.
    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b")]
    private static partial Regex IbanPattern();

    [GeneratedRegex(@"(?<![\d-])(?<area>\d{3})(?<sep>[- ]?)(?<group>\d{2})\k<sep>(?<serial>\d{4})(?![\d-])")]
    private static partial Regex SsnPattern();

    [GeneratedRegex(@"(?i)\b(?:ssn|social security(?: number| no\.?| #)?)\W*$")]
    private static partial Regex SsnCue();

    [GeneratedRegex(@"(?<![\w.:])(?:(?:\d{1,3}\.){3}\d{1,3}|(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})(?![\w:]|\.\d)")]
    private static partial Regex IpPattern();

    [GeneratedRegex(@"(?i)\b(?:call|phone|tel|telephone|mobile|cell|fax|whatsapp|text me|reach me|contact)\b[^.\n]*$")]
    private static partial Regex PhoneCue();

    [GeneratedRegex(@"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2},? \d{4}|\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]* \d{4})\b")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"(?i)\b(?:born|birth|dob|d\.o\.b\.?|birthday)\b[^.\n]*$")]
    private static partial Regex BirthCue();

    [GeneratedRegex(@"(?:\b(?:[Mm]y name is|[Nn]ame:|[Pp]atient:|[Cc]ustomer:|[Ss]incerely,|[Rr]egards,|[Ss]igned,)|\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?)\s+(?<name>\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+){0,2})")]
    private static partial Regex PersonPattern();

    [GeneratedRegex(@"\b\d{1,5}\s+(?:\p{Lu}[\p{Ll}]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Square|Sq)\b\.?(?:,?\s+(?:Apt|Apartment|Suite|Unit)\.?\s*#?\w+)?(?:,\s*\p{Lu}[\p{Ll}]+(?:\s\p{Lu}[\p{Ll}]+)*)?(?:,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)?")]
    private static partial Regex AddressPattern();

    [GeneratedRegex(@"(?i)\b(?:mrn|medical record(?: number| no\.?| #)?|patient id)\s*[:#]?\s*(?<id>[A-Z]{0,3}-?\d{6,10})\b")]
    private static partial Regex MedicalRecordPattern();

    [GeneratedRegex(@"\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,})|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex KnownSecretPattern();

    [GeneratedRegex(@"(?<![\w+/=-])[A-Za-z0-9+/_-]{32,}={0,2}(?![\w+/=-])")]
    private static partial Regex TokenPattern();
}
