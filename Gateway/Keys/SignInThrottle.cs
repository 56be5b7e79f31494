using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Gateway.Keys;

/// <summary>
/// Counts failed portal sign-ins per email in Redis, shared by every Gateway: after five within fifteen minutes of the
/// first, the email is refused until the count lapses. A success clears it.
/// </summary>
public sealed partial class SignInThrottle(IConnectionMultiplexer redis, ILogger<SignInThrottle> logger)
{
    public const int MaxFailures = 5;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>How long the email must wait before it may try again; null when it may try now.</summary>
    public async Task<TimeSpan?> LockedForAsync(string email)
    {
        try
        {
            var failures = await redis.GetDatabase().StringGetWithExpiryAsync(KeyOf(email));
            return (long?)failures.Value >= MaxFailures ? failures.Expiry ?? Window : null;
        }
        catch (RedisException ex)
        {
            // As with rate limits, a Redis outage does not lock every administrator out of the portal.
            Log.RedisUnavailable(logger, ex);
            return null;
        }
    }

    public async Task RecordFailureAsync(string email)
    {
        try
        {
            var database = redis.GetDatabase();
            var key = KeyOf(email);
            // The window starts at the first failure: later ones never extend it.
            await Task.WhenAll(database.StringIncrementAsync(key), database.KeyExpireAsync(key, Window, ExpireWhen.HasNoExpiry));
        }
        catch (RedisException ex)
        {
            Log.RedisUnavailable(logger, ex);
        }
    }

    public async Task ResetAsync(string email)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(KeyOf(email));
        }
        catch (RedisException ex)
        {
            Log.RedisUnavailable(logger, ex);
        }
    }

    // Hashed: a bounded key, and no email addresses in Redis.
    private static RedisKey KeyOf(string email) => $"gateway:sign-in-failures:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)))}";

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for counting failed sign-ins; not throttling them.")]
        public static partial void RedisUnavailable(ILogger logger, Exception exception);
    }
}
