using System.Diagnostics;
using OpenTelemetry.Trace;

namespace ServiceDefaults;

/// <summary>
/// Records a trace only when it begins with something that is work of its own (a request, a consumed message, a job's
/// span), not with a call to a dependency: background loops (the outbox, the refreshers) query PostgreSQL, Redis and
/// NATS every second or so, and as traces of their own those calls would bury every request in the dashboard.
/// </summary>
internal sealed class RequestRootedSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Record = new(SamplingDecision.RecordAndSample);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind is ActivityKind.Client or ActivityKind.Producer ? Drop : Record;
}
