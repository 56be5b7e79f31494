using System.Globalization;
using StackExchange.Redis;

namespace Orchestrator.Services;

/// <summary>
/// How many routes this instance runs at once, averaged by time between two readings (so a burst of quick requests
/// hardly counts while a crowd of slow ones does).
/// </summary>
public sealed class ExecutionLoad(TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _inFlight;
    private long _changedAt = time.GetTimestamp();
    private long _readAt = time.GetTimestamp();
    private double _weighted; // routes × timestamp ticks since the last reading

    public void Started() => Change(+1);

    public void Finished() => Change(-1);

    /// <summary>The average number of routes in flight since the last reading.</summary>
    public double TakeAverage()
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            var weighted = _weighted + _inFlight * (double)(now - _changedAt);
            var average = now > _readAt ? weighted / (now - _readAt) : _inFlight;
            (_weighted, _changedAt, _readAt) = (0, now, now);
            return average;
        }
    }

    private void Change(int delta)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            _weighted += _inFlight * (double)(now - _changedAt);
            (_inFlight, _changedAt) = (_inFlight + delta, now);
        }
    }
}

/// <summary>
/// Reports this instance's <see cref="ExecutionLoad"/> to Redis every second for the Router, which degrades to
/// cheaper models when the Orchestrators are overloaded. An idle instance reports its zero once and then stays quiet:
/// a report older than <see cref="DegradationSignals.ExecutionLoadLifetime"/> counts as no load.
/// </summary>
public sealed partial class ExecutionLoadReporter(ExecutionLoad load, IConnectionMultiplexer redis, TimeProvider time, ILogger<ExecutionLoadReporter> logger)
    : BackgroundService
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);
    private readonly string _instance = Guid.NewGuid().ToString("N");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ReportInterval, time);
        var reported = 0.0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var average = load.TakeAverage();
                if (average == 0 && reported == 0)
                {
                    continue;
                }
                reported = average;
                try
                {
                    var database = redis.GetDatabase();
                    var report = string.Create(CultureInfo.InvariantCulture, $"{average}|{time.GetUtcNow().ToUnixTimeMilliseconds()}");
                    await Task.WhenAll(
                        database.HashSetAsync(DegradationSignals.ExecutionLoadKey, _instance, report),
                        database.KeyExpireAsync(DegradationSignals.ExecutionLoadKey, DegradationSignals.ExecutionLoadLifetime));
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Log.NotReported(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Execution load not reported: Redis is away.")]
        public static partial void NotReported(ILogger logger, Exception exception);
    }
}
