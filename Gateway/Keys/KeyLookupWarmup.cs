namespace Gateway.Keys;

/// <summary>
/// Looks up a key nobody holds once at start, by hash and by id (agent runs), so the first real client of this
/// instance does not pay for compiling the lookups' queries (over a second in Debug, a revocation test's whole budget).
/// </summary>
public sealed partial class KeyLookupWarmup(TenantKeyStore keys, ILogger<KeyLookupWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await keys.FindAsync(Convert.ToHexString(Guid.NewGuid().ToByteArray()), stoppingToken);
            await keys.FindByIdAsync(Guid.NewGuid(), Guid.NewGuid(), stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // A store still starting: the first client pays, as it would without this.
            Log.Skipped(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Key lookup warm-up skipped.")]
        public static partial void Skipped(ILogger logger, Exception exception);
    }
}
