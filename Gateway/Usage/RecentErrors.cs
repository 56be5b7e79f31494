using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Usage;

/// <summary>The last <see cref="Capacity"/> requests the Gateways answered with an error, newest first, in one Redis list.</summary>
public sealed partial class RecentErrors(IConnectionMultiplexer redis, ILogger<RecentErrors> logger)
{
    public const int Capacity = 500;

    private static readonly RedisKey Key = "gateway:errors";

    /// <summary>Sent without waiting for Redis, so recording an error never slows or fails a request.</summary>
    public void Record(UsageIntegrationEvent usage)
    {
        var entry = JsonSerializer.SerializeToUtf8Bytes(
            new RecentError(usage.OccurredAt, usage.TenantId, usage.KeyId, usage.Endpoint, usage.Model, usage.StatusCode, usage.ErrorCode, usage.TraceId),
            GatewayJsonContext.Default.RecentError);
        try
        {
            var database = redis.GetDatabase();
            database.ListLeftPush(Key, entry, flags: CommandFlags.FireAndForget);
            database.ListTrim(Key, 0, Capacity - 1, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            Log.RedisUnavailable(logger, ex);
        }
    }

    public async Task<List<RecentError>> ReadAsync(int limit)
    {
        var entries = await redis.GetDatabase().ListRangeAsync(Key, 0, limit - 1);
        return [.. entries.Select(entry => JsonSerializer.Deserialize((byte[])entry!, GatewayJsonContext.Default.RecentError)!)];
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable; a failed request is missing from the recent errors.")]
        public static partial void RedisUnavailable(ILogger logger, Exception exception);
    }
}

public sealed record RecentError(DateTimeOffset At, Guid TenantId, Guid KeyId, string Endpoint, string? Model, int Status, string? ErrorCode, string? TraceId);
