namespace Platform.Catalog;

/// <summary>A provider's use of its quota this period; <see cref="Share"/> is 1 when either limit is reached.</summary>
public sealed record QuotaUse(long Requests, long? RequestLimit, long Tokens, long? TokenLimit, string Period, double Share);
