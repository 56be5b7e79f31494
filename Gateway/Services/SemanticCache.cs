using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Model;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Services;

/// <summary>
/// Answers a question asked before in other words. Only requests safe to reuse take part (cacheable for the exact
/// cache, no tools, no retrieval, temperature unset or at most <see cref="CacheOptions.SemanticMaxTemperature"/>),
/// and only within their space: the same tenant, model and options, and the same conversation up to the last
/// question. The last question's embedding is compared with the space's stored questions; the best at or above
/// <see cref="CacheOptions.SemanticThreshold"/> is a hit. Entries live in Redis (shared by every Gateway) with the
/// exact cache's lifetime; each Gateway mirrors a space in memory and reloads it when its version changes.
/// </summary>
public sealed partial class SemanticCache(IConnectionMultiplexer redis, IMemoryCache memory, IOptions<CacheOptions> options, ILogger<SemanticCache> logger)
{
    /// <summary>The space and the question's vector, or null when the request may not use the semantic cache.</summary>
    public SemanticQuery? QueryFor(TenantKey key, ChatCompletionRequest request, string? exactKey)
    {
        var settings = options.Value;
        if (!settings.SemanticEnabled || exactKey is null || request.Retrieval is not null || request.Options.Tools is { Count: > 0 }
            || request.Options.Temperature > settings.SemanticMaxTemperature
            || request.Messages.LastOrDefault() is not { Role: var role, Text: { Length: > 0 } question } || role != ChatRole.User)
        {
            return null;
        }
        var context = JsonSerializer.SerializeToUtf8Bytes(
            new SpaceMaterial(request.Model, request.Fallbacks, request.Route, request.Messages.Take(request.Messages.Count - 1).ToList(), request.Options with { User = null, Temperature = null }),
            ExecutionJson.Options);
        return new SemanticQuery($"cache:semantic:{key.TenantId}:{Convert.ToHexStringLower(SHA256.HashData(context))}", LocalEmbeddingGenerator.Vector(question));
    }

    /// <summary>The best stored answer at or above the threshold, with its similarity.</summary>
    public async Task<(ChatResponse Response, float Similarity)?> GetAsync(SemanticQuery query)
    {
        try
        {
            var entries = await EntriesAsync(query.Space);
            var best = (Entry: (SemanticEntry?)null, Similarity: float.MinValue);
            foreach (var entry in entries)
            {
                var similarity = TensorPrimitives.Dot(entry.Vector, query.Vector);
                if (similarity > best.Similarity)
                {
                    best = (entry, similarity);
                }
            }
            return best.Entry is not null && best.Similarity >= options.Value.SemanticThreshold ? (best.Entry.Response, best.Similarity) : null;
        }
        catch (RedisException ex)
        {
            Log.Unavailable(logger, ex);
            return null;
        }
    }

    /// <summary>Stores an answer under its question; sent without waiting.</summary>
    public void Store(SemanticQuery query, ChatResponse response)
    {
        try
        {
            var database = redis.GetDatabase();
            var ttl = options.Value.ExactTtl;
            database.HashSet(query.Space, Guid.NewGuid().ToString("N"), JsonSerializer.SerializeToUtf8Bytes(new SemanticEntry(query.Vector, response), ExecutionJson.Options), flags: CommandFlags.FireAndForget);
            database.KeyExpire(query.Space, ttl, CommandFlags.FireAndForget);
            database.StringIncrement($"{query.Space}:v", flags: CommandFlags.FireAndForget);
            database.KeyExpire($"{query.Space}:v", ttl, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            Log.Unavailable(logger, ex);
        }
    }

    private async Task<List<SemanticEntry>> EntriesAsync(string space)
    {
        var version = (string?)await redis.GetDatabase().StringGetAsync($"{space}:v");
        if (version is null)
        {
            return [];
        }
        if (memory.TryGetValue<Mirror>(space, out var mirror) && mirror!.Version == version)
        {
            return mirror.Entries;
        }
        var entries = (await redis.GetDatabase().HashValuesAsync(space))
            .Select(value => JsonSerializer.Deserialize<SemanticEntry>((byte[])value!, ExecutionJson.Options)!)
            .ToList();
        memory.Set(space, new Mirror(version, entries), new MemoryCacheEntryOptions { Size = Math.Max(1, entries.Count), SlidingExpiration = TimeSpan.FromMinutes(10) });
        return entries;
    }

    private sealed record SpaceMaterial(string Model, IList<string> Fallbacks, RouteRequest? Route, IList<ChatMessage> Context, ChatExecutionOptions Options);

    private sealed record SemanticEntry(float[] Vector, ChatResponse Response);

    private sealed record Mirror(string Version, List<SemanticEntry> Entries);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for the semantic cache; answering without it.")]
        public static partial void Unavailable(ILogger logger, Exception exception);
    }
}

/// <summary>Where a request's question is looked up (its space) and what it looks like (its vector).</summary>
public sealed record SemanticQuery(string Space, float[] Vector);
