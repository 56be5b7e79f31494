using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
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
/// <see cref="CacheOptions.SemanticMaxEntries"/>, living as long as the exact cache's entries). Each Gateway mirrors
/// a space's questions (not their answers) in a <see cref="VectorIndex{T}"/>, reads only the entries appended since
/// it last looked, and fetches the one answer it reuses.
/// </summary>
public sealed partial class SemanticCache(IConnectionMultiplexer redis, IOptions<CacheOptions> options, ILogger<SemanticCache> logger) : IDisposable
{
    private const int Dimensions = LocalEmbeddingGenerator.Dimensions;

    // Mirrors of their own, sized in questions: a space may hold far more entries than the key lookups' cache should make room for.
    private readonly MemoryCache _mirrors = new(new MemoryCacheOptions { SizeLimit = options.Value.SemanticMirroredEntries });

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
        return new SemanticQuery($"{SpacePrefix(key.TenantId)}{Convert.ToHexStringLower(SHA256.HashData(context))}", LocalEmbeddingGenerator.Vector(question), ExactTokens(question));
    }

    /// <summary>Where a tenant's spaces are kept in Redis: every key under it is the tenant's semantic cache.</summary>
    public static string SpacePrefix(Guid tenantId) => $"cache:semantic:{tenantId}:";

    /// <summary>The best stored answer at or above the threshold, with its similarity.</summary>
    public async Task<(ChatResponse Response, float Similarity)?> GetAsync(SemanticQuery query)
    {
        try
        {
            var mirror = await MirrorAsync(query.Space);
            // The nearest few, for the best of them that holds the same numbers.
            foreach (var (exactTokens, position, similarity) in mirror.Questions.Nearest(query.Vector, NearestChecked))
            {
                if (similarity < options.Value.SemanticThreshold)
                {
                    break;
                }
                if (exactTokens == query.ExactTokens)
                {
                    return await AnswerAsync(query, mirror, position);
                }
            }
            return null;
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
            redis.GetDatabase().ScriptEvaluate(AppendScript, [query.Space],
                [Entry(query, response), options.Value.SemanticMaxEntries, (long)options.Value.ExactTtl.TotalMilliseconds], CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            Log.Unavailable(logger, ex);
        }
    }

    public void Dispose() => _mirrors.Dispose();

    // How many of the nearest questions are checked for the same numbers before giving up.
    private const int NearestChecked = 8;

    // Read this many entries at a time when a mirror catches up.
    private const int ReadPage = 1_000;

    // Appends while the space has room; the space lives as long as an exact entry after its last append.
    private const string AppendScript = """
        if redis.call('LLEN', KEYS[1]) < tonumber(ARGV[2]) then
          redis.call('RPUSH', KEYS[1], ARGV[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        return 1
        """;

    /// <summary>
    /// The entry at the mirror's position, read again: it answers only if it is still a match (the list may have
    /// expired and filled anew since the mirror read it, which then starts over).
    /// </summary>
    private async Task<(ChatResponse Response, float Similarity)?> AnswerAsync(SemanticQuery query, SpaceMirror mirror, int position)
    {
        var stored = await redis.GetDatabase().ListGetByIndexAsync(query.Space, position);
        if (stored.IsNull)
        {
            _mirrors.Remove(query.Space);
            return null;
        }
        var (vector, exactTokens, answer) = Parse(stored);
        var similarity = TensorPrimitives.Dot(vector, query.Vector);
        if (exactTokens != query.ExactTokens || similarity < options.Value.SemanticThreshold)
        {
            _mirrors.Remove(query.Space);
            return null;
        }
        return (JsonSerializer.Deserialize<ChatResponse>(answer.Span, ExecutionJson.Options)!, similarity);
    }

    /// <summary>The space's questions: the mirror here, caught up with whatever was appended since (anew if the list shrank, having expired or been flushed).</summary>
    private async Task<SpaceMirror> MirrorAsync(string space)
    {
        var database = redis.GetDatabase();
        var length = await database.ListLengthAsync(space);
        if (!_mirrors.TryGetValue<SpaceMirror>(space, out var mirror) || mirror!.Questions.Count > length)
        {
            mirror = new SpaceMirror();
        }
        else if (mirror.Questions.Count == length)
        {
            return mirror;
        }
        if (mirror.Questions.Count < length)
        {
            // One reader per mirror, so the rows stay in the list's order.
            await mirror.CatchingUp.WaitAsync();
            try
            {
                while (mirror.Questions.Count < length)
                {
                    var from = mirror.Questions.Count;
                    foreach (var entry in await database.ListRangeAsync(space, from, Math.Min(length, from + ReadPage) - 1))
                    {
                        var (vector, exactTokens, _) = Parse(entry);
                        mirror.Questions.Add(vector, exactTokens);
                    }
                    if (mirror.Questions.Count == from)
                    {
                        break;
                    }
                }
            }
            finally
            {
                mirror.CatchingUp.Release();
            }
        }
        _mirrors.Set(space, mirror, new MemoryCacheEntryOptions { Size = Math.Max(1, mirror.Questions.Count), SlidingExpiration = TimeSpan.FromMinutes(10) });
        return mirror;
    }

    // An entry: the question's vector, its numbers (length-prefixed UTF-8), then the answer's JSON; only the answer is parsed on a hit.
    private static byte[] Entry(SemanticQuery query, ChatResponse response)
    {
        var answer = JsonSerializer.SerializeToUtf8Bytes(response, ExecutionJson.Options);
        var exactTokens = Encoding.UTF8.GetBytes(query.ExactTokens);
        var entry = new byte[(Dimensions * sizeof(float)) + sizeof(int) + exactTokens.Length + answer.Length];
        MemoryMarshal.AsBytes(query.Vector.AsSpan()).CopyTo(entry);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(Dimensions * sizeof(float)), exactTokens.Length);
        exactTokens.CopyTo(entry.AsSpan((Dimensions * sizeof(float)) + sizeof(int)));
        answer.CopyTo(entry.AsSpan((Dimensions * sizeof(float)) + sizeof(int) + exactTokens.Length));
        return entry;
    }

    private static (float[] Vector, string ExactTokens, ReadOnlyMemory<byte> Answer) Parse(RedisValue stored)
    {
        var entry = (ReadOnlyMemory<byte>)stored;
        var vector = MemoryMarshal.Cast<byte, float>(entry.Span[..(Dimensions * sizeof(float))]).ToArray();
        var tokensLength = BinaryPrimitives.ReadInt32LittleEndian(entry.Span[(Dimensions * sizeof(float))..]);
        var tokensStart = (Dimensions * sizeof(float)) + sizeof(int);
        return (vector, Encoding.UTF8.GetString(entry.Span.Slice(tokensStart, tokensLength)), entry[(tokensStart + tokensLength)..]);
    }

    /// <summary>The question's words that hold a digit, in order: numbers, ids, dates, versions.</summary>
    private static string ExactTokens(string question) =>
        string.Join(' ', LocalEmbeddingGenerator.Words(question).Where(word => word.Any(char.IsDigit)));

    private sealed record SpaceMaterial(string Model, IList<string> Fallbacks, RouteRequest? Route, IList<ChatMessage> Context, ChatExecutionOptions Options);

    private sealed class SpaceMirror
    {
        public VectorIndex<string> Questions { get; } = new(Dimensions);

        public SemaphoreSlim CatchingUp { get; } = new(1, 1);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for the semantic cache; answering without it.")]
        public static partial void Unavailable(ILogger logger, Exception exception);
    }
}

/// <summary>Where a request's question is looked up (its space), what it looks like (its vector) and the numbers it holds.</summary>
public sealed record SemanticQuery(string Space, float[] Vector, string ExactTokens);
