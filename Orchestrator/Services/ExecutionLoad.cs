using System.Globalization;
using StackExchange.Redis;

namespace Orchestrator.Services;

/// <summary>
/// How many routes this instance runs at once, averaged over the last second (sampled every 100 ms, so a burst of
/// quick requests hardly counts while a crowd of slow ones does), reported to Redis every second for the Router,
/// which degrades to cheaper models when the Orchestrators are overloaded.
/// </summary>
public sealed partial class ExecutionLoad(IConnectionMultiplexer redis, ILogger<ExecutionLoad> logger) : BackgroundService
{
    private const int SamplesPerReport = 10;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private int _inFlight;

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Finished() => Interlocked.Decrement(ref _inFlight);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var sum = 0;
        var samples = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                sum += Volatile.Read(ref _inFlight);
                if (++samples < SamplesPerReport)
                {
                    continue;
                }
                var average = (double)sum / samples;
                (sum, samples) = (0, 0);
                try
                {
                    var database = redis.GetDatabase();
                    var report = string.Create(CultureInfo.InvariantCulture, $"{average}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
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
