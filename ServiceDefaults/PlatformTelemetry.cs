namespace ServiceDefaults;

// The meter the services' own instruments report to; AddServiceDefaults exports it.
public static class PlatformTelemetry
{
    public const string MeterName = "AiPlatform";
}
