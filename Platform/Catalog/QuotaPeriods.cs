namespace Platform.Catalog;

public static class QuotaPeriods
{
    public const string Day = "day";
    public const string Month = "month";
}
