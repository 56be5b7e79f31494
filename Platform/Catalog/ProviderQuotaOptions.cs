namespace Platform.Catalog;

/// <summary>Requests and/or tokens a provider account may use per day or per month.</summary>
public sealed class ProviderQuotaOptions
{
    public long? Requests { get; set; }

    public long? Tokens { get; set; }

    /// <summary><c>day</c> (default) or <c>month</c>, in UTC.</summary>
    public string Period { get; set; } = QuotaPeriods.Day;
}
