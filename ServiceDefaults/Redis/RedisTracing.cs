using System.Collections.Concurrent;
using System.Diagnostics;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Client spans for Redis commands (the OpenTelemetry StackExchange.Redis instrumentation is not served here):
/// commands issued under a recorded activity are profiled by the multiplexer, then reported as child spans
/// with their true start and duration once that activity has ended.
/// </summary>
public sealed class RedisTracing : IDisposable
{
    public const string ActivitySourceName = "StackExchange.Redis";

    private static readonly ActivitySource Source = new(ActivitySourceName);
    private readonly ConcurrentDictionary<Activity, ProfilingSession> _sessions = new();
    private readonly Timer _flush;

    public RedisTracing(IConnectionMultiplexer redis)
    {
        redis.RegisterProfiler(CurrentSession);
        _flush = new Timer(_ => Flush(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Reports the commands of every activity that has ended.</summary>
    public void Flush()
    {
        foreach (var (parent, session) in _sessions)
        {
            if (parent.IsStopped && _sessions.TryRemove(parent, out _))
            {
                Report(parent, session.FinishProfiling());
            }
        }
    }

    public void Dispose() => _flush.Dispose();

    private ProfilingSession? CurrentSession() =>
        Source.HasListeners() && Activity.Current is { Recorded: true } activity
            ? _sessions.GetOrAdd(activity, static _ => new ProfilingSession())
            : null;

    private static void Report(Activity parent, ProfiledCommandEnumerable commands)
    {
        foreach (var command in commands)
        {
            var start = new DateTimeOffset(DateTime.SpecifyKind(command.CommandCreated, DateTimeKind.Utc));
            using var span = Source.StartActivity(command.Command, ActivityKind.Client, parent.Context, startTime: start);
            if (span is null)
            {
                continue;
            }
            span.SetTag("db.system.name", "redis");
            span.SetTag("db.operation.name", command.Command);
            span.SetTag("db.namespace", command.Db);
            span.SetTag("server.address", command.EndPoint.ToString());
            span.SetEndTime((start + command.ElapsedTime).UtcDateTime);
        }
    }
}
