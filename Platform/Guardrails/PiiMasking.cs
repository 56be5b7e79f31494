using System.Text;

namespace Platform.Guardrails;

/// <summary>What a tenant's policy does with one kind of personal data in one direction.</summary>
public enum PiiAction
{
    Allow,
    /// <summary>Replaced by a numbered placeholder (<c>&lt;EMAIL_1&gt;</c>), the same value by the same one, so the answer can be unmasked for the tenant.</summary>
    Mask,
    /// <summary>Replaced by the entity's name (<c>&lt;EMAIL&gt;</c>), for good.</summary>
    Redact,
    /// <summary>The request is refused, naming the entity and never its value.</summary>
    Block,
}

/// <summary>
/// One request's masking: applies a policy to a text's findings, remembering each masked value's placeholder, so
/// that the request's other texts number the same value alike and the answer's placeholders can be put back.
/// </summary>
public sealed class PiiMasking
{
    private readonly Dictionary<string, string> _placeholders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<PiiEntity, int> _numbers = [];

    /// <summary>The placeholders given so far and the values they stand for.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>
    /// The text with each finding allowed, masked or redacted as <paramref name="policy"/> says; or, when the policy
    /// blocks an entity the text holds, null and that entity in <paramref name="blocked"/>.
    /// </summary>
    public string? Apply(string text, IReadOnlyList<PiiFinding> findings, Func<PiiEntity, PiiAction> policy, out PiiEntity? blocked)
    {
        blocked = findings.Select(f => (PiiEntity?)f.Entity).FirstOrDefault(entity => policy(entity!.Value) == PiiAction.Block);
        if (blocked is not null)
        {
            return null;
        }
        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var finding in findings.OrderBy(f => f.Start))
        {
            var action = policy(finding.Entity);
            if (action == PiiAction.Allow)
            {
                continue;
            }
            result.Append(text, at, finding.Start - at);
            result.Append(action == PiiAction.Mask ? PlaceholderFor(finding.Entity, text.Substring(finding.Start, finding.Length)) : $"<{Name(finding.Entity)}>");
            at = finding.End;
        }
        return result.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>The text with every placeholder this masking gave put back to its value.</summary>
    public string Unmask(string text)
    {
        if (_values.Count == 0 || !text.Contains('<'))
        {
            return text;
        }
        var result = new StringBuilder(text);
        foreach (var (placeholder, value) in _values)
        {
            result.Replace(placeholder, value);
        }
        return result.ToString();
    }

    /// <summary>The entity's name in placeholders and errors: <c>EMAIL</c>, <c>CREDIT_CARD</c>, …</summary>
    public static string Name(PiiEntity entity) => entity switch
    {
        PiiEntity.Email => "EMAIL",
        PiiEntity.Phone => "PHONE",
        PiiEntity.CreditCard => "CREDIT_CARD",
        PiiEntity.Iban => "IBAN",
        PiiEntity.UsSsn => "US_SSN",
        PiiEntity.IpAddress => "IP_ADDRESS",
        PiiEntity.DateOfBirth => "DATE_OF_BIRTH",
        PiiEntity.Person => "PERSON",
        PiiEntity.Address => "ADDRESS",
        PiiEntity.Secret => "SECRET",
        PiiEntity.MedicalRecordNumber => "MEDICAL_RECORD_NUMBER",
        _ => throw new ArgumentOutOfRangeException(nameof(entity)),
    };

    private string PlaceholderFor(PiiEntity entity, string value)
    {
        var key = $"{entity}:{value}";
        if (!_placeholders.TryGetValue(key, out var placeholder))
        {
            var number = _numbers[entity] = _numbers.GetValueOrDefault(entity) + 1;
            placeholder = $"<{Name(entity)}_{number}>";
            _placeholders[key] = placeholder;
            _values[placeholder] = value;
        }
        return placeholder;
    }
}
