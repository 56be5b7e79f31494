using System.Diagnostics;

namespace Microsoft.Extensions.Hosting;

// The activity source and meter our own code reports to; ServiceDefaults subscribes to both.
public static class PlatformTelemetry
{
    public const string ActivitySourceName = "AiPlatform";
    public const string MeterName = "AiPlatform";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
