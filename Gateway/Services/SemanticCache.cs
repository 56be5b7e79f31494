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
/// <see cref="CacheOptions.SemanticThreshold"/> is a hit, and only if both questions hold the same numbers and
/// identifiers (a lexical embedding sees "order 1234" and "order 5678" as near, and they are not the same question).
/// Entries are appended to a Redis list per space (shared by every Gateway, up to
/// <see cref="CacheOptions.SemanticMaxEntries"/>, living as long as the exact cache's entries); each Gateway mirrors
/// a space in memory and reads only the entries appended since it last looked.
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
        return new SemanticQuery($"cache:semantic:{key.TenantId}:{Convert.ToHexStringLower(SHA256.HashData(context))}", LocalEmbeddingGenerator.Vector(question), ExactTokens(question));
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
                if (similarity > best.Similarity && entry.ExactTokens == query.ExactTokens)
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

    /// <summary>Stores an answer under its question, unless the space is full; sent without waiting.</summary>
    public void Store(SemanticQuery query, ChatResponse response)
    {
        try
        {
            var entry = JsonSerializer.SerializeToUtf8Bytes(new SemanticEntry(query.Vector, query.ExactTokens, response), ExecutionJson.Options);
            redis.GetDatabase().ScriptEvaluate(AppendScript, [query.Space],
                [entry, options.Value.SemanticMaxEntries, (long)options.Value.ExactTtl.TotalMilliseconds], CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            Log.Unavailable(logger, ex);
        }
    }

    // Appends while the space has room; the space lives as long as an exact entry after its last append.
    private const string AppendScript = """
        if redis.call('LLEN', KEYS[1]) < tonumber(ARGV[2]) then
          redis.call('RPUSH', KEYS[1], ARGV[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        return 1
        """;

    /// <summary>The space's entries: the mirror here, plus whatever was appended since (the whole list again if it shrank, having expired).</summary>
    private async Task<List<SemanticEntry>> EntriesAsync(string space)
    {
        var database = redis.GetDatabase();
        var length = await database.ListLengthAsync(space);
        var mirror = memory.TryGetValue<List<SemanticEntry>>(space, out var known) && known!.Count <= length ? known : [];
        if (mirror.Count == length)
        {
            return mirror;
        }
        var appended = await database.ListRangeAsync(space, mirror.Count, length - 1);
        List<SemanticEntry> entries = [.. mirror, .. appended.Select(value => JsonSerializer.Deserialize<SemanticEntry>((byte[])value!, ExecutionJson.Options)!)];
        memory.Set(space, entries, new MemoryCacheEntryOptions { Size = Math.Max(1, entries.Count), SlidingExpiration = TimeSpan.FromMinutes(10) });
        return entries;
    }

    /// <summary>The question's words that hold a digit, in order: numbers, ids, dates, versions.</summary>
    private static string ExactTokens(string question) =>
        string.Join(' ', LocalEmbeddingGenerator.Words(question).Where(word => word.Any(char.IsDigit)));

    private sealed record SpaceMaterial(string Model, IList<string> Fallbacks, RouteRequest? Route, IList<ChatMessage> Context, ChatExecutionOptions Options);

    private sealed record SemanticEntry(float[] Vector, string ExactTokens, ChatResponse Response);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for the semantic cache; answering without it.")]
        public static partial void Unavailable(ILogger logger, Exception exception);
    }
}

/// <summary>Where a request's question is looked up (its space), what it looks like (its vector) and the numbers it holds.</summary>
public sealed record SemanticQuery(string Space, float[] Vector, string ExactTokens);
