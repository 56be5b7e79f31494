namespace Platform.Guardrails;

/// <summary>The kinds of personal data and secrets <see cref="PiiScanner"/> finds; their names are what policies and errors say.</summary>
public enum PiiEntity
{
    Email,
    Phone,
    CreditCard,
    Iban,
    UsSsn,
    IpAddress,
    DateOfBirth,
    Person,
    Address,
    Secret,
    MedicalRecordNumber,
}

/// <summary>One finding: where in the text, and how sure (1 for a checked structure, less for a pattern found by its context).</summary>
public readonly record struct PiiFinding(PiiEntity Entity, int Start, int Length, double Score)
{
    public int End => Start + Length;
}
