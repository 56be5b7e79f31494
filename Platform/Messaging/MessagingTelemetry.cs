using System.Diagnostics;

namespace Platform.Messaging;

// The spans of publishing and processing events; AddEventBus subscribes OpenTelemetry to them.
internal static class MessagingTelemetry
{
    public const string ActivitySourceName = "Platform.Messaging";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
