using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Model;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Cache;

/// <summary>
/// Answers a tenant's repeated chat request from Redis. The key is the tenant and a hash of the normalised request
/// (model, messages, every option that changes the answer; not <c>stream</c> nor <c>user</c>), so no tenant ever
/// sees another's answer, and a streamed request hits what a whole one stored.
/// </summary>
public sealed partial class ExactCache(IConnectionMultiplexer redis, IOptions<CacheOptions> options, ILogger<ExactCache> logger)
{
    /// <summary>The cache key, or null when this request may not use the cache (turned off, or <c>Cache-Control: no-store</c>).</summary>
    public string? KeyFor(HttpRequest http, TenantKey key, ChatCompletionRequest request)
    {
        if (!options.Value.ExactEnabled || !key.CacheEnabled || http.Headers.CacheControl.ToString().Contains("no-store", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var normalised = JsonSerializer.SerializeToUtf8Bytes(
            new CacheKeyMaterial(request.Model, request.Fallbacks, request.Route, request.Messages, request.Options with { User = null }), ExecutionJson.Options);
        return $"{KeyPrefix(key.TenantId)}{Convert.ToHexStringLower(SHA256.HashData(normalised))}";
    }

    /// <summary>Where a tenant's exact entries are kept in Redis.</summary>
    public static string KeyPrefix(Guid tenantId) => $"cache:exact:{tenantId}:";

    /// <summary>
    /// <c>Cache-Control: no-cache</c>: answer afresh without looking in either cache, and store that answer in place
    /// of the old (<c>no-store</c> neither reads nor stores).
    /// </summary>
    public static bool Refreshes(HttpRequest http) => http.Headers.CacheControl.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase);

    public async Task<ChatResponse?> GetAsync(string cacheKey)
    {
        try
        {
            var stored = await redis.GetDatabase().StringGetAsync(cacheKey);
            return stored.HasValue ? JsonSerializer.Deserialize<ChatResponse>((byte[])stored!, ExecutionJson.Options) : null;
        }
        catch (RedisException ex)
        {
            Log.Unavailable(logger, ex);
            return null;
        }
    }

    /// <summary>Stores a complete answer; sent without waiting, in order before any later read on this connection.</summary>
    public void Store(string cacheKey, ChatResponse response)
    {
        try
        {
            redis.GetDatabase().StringSet(cacheKey, JsonSerializer.SerializeToUtf8Bytes(response, ExecutionJson.Options), options.Value.ExactTtl, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            Log.Unavailable(logger, ex);
        }
    }

    // What the client asked for (an "auto" request hits whatever model answered it before), not the route taken.
    private sealed record CacheKeyMaterial(string Model, IList<string> Fallbacks, RouteRequest? Route, IList<ChatMessage> Messages, ChatExecutionOptions Options);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for the exact cache; answering without it.")]
        public static partial void Unavailable(ILogger logger, Exception exception);
    }
}
