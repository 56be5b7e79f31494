using System.Diagnostics;
using NATS.Client.Core;

namespace Platform.Messaging;

// W3C trace context in NATS headers, so a consumer's work joins the trace of the request that caused it.
internal static class TraceContextHeaders
{
    public static void Inject(Activity? activity, NatsHeaders headers)
    {
        if (activity is null)
        {
            return;
        }
        DistributedContextPropagator.Current.Inject(activity, headers, static (carrier, name, value) =>
        {
            if (carrier is NatsHeaders target && value is not null)
            {
                target[name] = value;
            }
        });
    }

    public static ActivityContext Extract(NatsHeaders? headers)
    {
        if (headers is null)
        {
            return default;
        }
        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers,
            static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
            {
                values = null;
                value = carrier is NatsHeaders source && source.TryGetValue(name, out var found) ? found.ToString() : null;
            },
            out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, out var context) ? context : default;
    }
}
