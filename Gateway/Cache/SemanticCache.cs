using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
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

namespace Gateway.Cache;

/// <summary>
/// Answers a question asked before in other words. Only requests safe to reuse take part (cacheable for the exact
/// cache, no tools, no retrieval, temperature unset or at most <see cref="CacheOptions.SemanticMaxTemperature"/>),
/// and only within their space: the same tenant, model and options, the same conversation up to the last question,
/// and the same embedding model. The last question's embedding (<see cref="CacheOptions.SemanticEmbeddingModel"/>)
/// is compared with the space's stored questions; the best at or above <see cref="CacheOptions.SemanticThreshold"/>
/// is a hit, and only if both questions hold the same numbers and identifiers (an embedding sees "order 1234" and
/// "order 5678" as near, and they are not the same question).
/// Entries are appended to a Redis list per space (shared by every Gateway, up to
/// <see cref="CacheOptions.SemanticMaxEntries"/>, living as long as the exact cache's entries). Each Gateway mirrors
/// a space's questions (not their answers) in a <see cref="VectorIndex{T}"/>, reads only the entries appended since
/// it last looked, and fetches the one answer it reuses.
/// </summary>
public sealed partial class SemanticCache(
    IConnectionMultiplexer redis, ModelCatalog catalog, LocalEmbeddingGenerator localEmbeddings, QuestionVerifier verifier, IOptions<CacheOptions> options,
    IMeterFactory meters, ILogger<SemanticCache> logger) : IDisposable
{
    private readonly Counter<long> _storesSkipped = meters.Create(PlatformTelemetry.MeterName).CreateCounter<long>("semantic_cache_stores_skipped",
        description: "Answers not stored in the semantic cache because more than SemanticPendingStores waited for their question's embedding.");

    // Answers waiting for their question's embedding (or being appended).
    private int _pendingStores;

    private static readonly string LocalModel = $"{ModelCatalog.LocalProvider}/{ModelCatalog.LocalEmbeddingModel}";

    // Mirrors of their own, sized in questions: a space may hold far more entries than the key lookups' cache should make room for.
    private readonly MemoryCache _mirrors = new(new MemoryCacheOptions { SizeLimit = options.Value.SemanticMirroredEntries });

    // Answers being stored off the request's path (their question embedded first), by space and identifiers.
    private readonly ConcurrentDictionary<string, Task> _storing = new(StringComparer.Ordinal);

    /// <summary>
    /// The space and the question's vector, or null when the request may not use the semantic cache (or its
    /// embedding could not be had: the request is then answered without it). A provider's embedding is made through
    /// the request's <paramref name="orchestrator"/> and recorded in <paramref name="usage"/>, to be charged.
    /// </summary>
    public async Task<SemanticQuery?> QueryForAsync(
        TenantKey key, ChatCompletionRequest request, string? exactKey, OrchestratorClient orchestrator, UsageRecord usage, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.SemanticEnabled || !key.SemanticCacheEnabled || exactKey is null || request.Retrieval is not null || request.Options.Tools is { Count: > 0 }
            || request.Options.Temperature > settings.SemanticMaxTemperature
            || request.Messages.LastOrDefault() is not { Role: var role, Text: { Length: > 0 } question } || role != ChatRole.User)
        {
            return null;
        }
        var local = settings.SemanticEmbeddingModel == LocalModel;
        // The local model's vector waits until it is needed (see GetAsync); a provider's is made now, while the
        // request can still be charged for it.
        var vector = local ? null : await EmbedAsync(question, orchestrator, usage, cancellationToken);
        if (!local && vector is null)
        {
            return null;
        }
        // The local model's revision is part of the space: questions embedded by an earlier one are never compared.
        var context = JsonSerializer.SerializeToUtf8Bytes(
            new SpaceMaterial(local ? $"{LocalModel}@{LocalEmbeddingGenerator.Revision}" : settings.SemanticEmbeddingModel, request.Model, request.Fallbacks, request.Route, request.Messages.Take(request.Messages.Count - 1).ToList(),
                request.Options with { User = null, Temperature = null }),
            ExecutionJson.Options);
        return new SemanticQuery($"{SpacePrefix(key.TenantId)}{Convert.ToHexStringLower(SHA256.HashData(context))}", question) { Vector = vector };
    }

    /// <summary>Where a tenant's spaces are kept in Redis: every key under it is the tenant's semantic cache.</summary>
    public static string SpacePrefix(Guid tenantId) => $"cache:semantic:{tenantId}:";

    /// <summary>
    /// The best stored answer at or above the threshold whose question the verifier confirms is the same, with its
    /// similarity. The question is embedded (by the local model) only if some stored question has its numbers and
    /// identifiers, which the verifier asks of any match: a question about an order, a code or an amount that no
    /// stored question names is a miss without a pass of the model.
    /// </summary>
    public async Task<(ChatResponse Response, float Similarity)?> GetAsync(SemanticQuery query, CancellationToken cancellationToken = default)
    {
        try
        {
            var mirror = await MirrorAsync(query.Space, query.Vector?.Length ?? LocalEmbeddingGenerator.Dimensions);
            if (query.Vector is null)
            {
                // An answer this Gateway is still storing with the same identifiers could be the match: it is waited for,
                // so that a question asked right after another is answered as it was before stores left the request's path.
                if (_storing.TryGetValue(StoringKey(query), out var storing))
                {
                    await storing;
                    mirror = await MirrorAsync(query.Space, LocalEmbeddingGenerator.Dimensions);
                }
                if (!mirror.Identifiers.ContainsKey(query.Identifiers))
                {
                    return null;
                }
                query.Vector = await LocalVectorAsync(query.Question, cancellationToken);
            }
            foreach (var (question, position, similarity) in mirror.Questions.Nearest(query.Vector, NearestChecked))
            {
                if (similarity < options.Value.SemanticThreshold)
                {
                    break;
                }
                if (await verifier.SameQuestionAsync(query.Question, question, cancellationToken))
                {
                    return await AnswerAsync(query, mirror, position, question);
                }
            }
            return null;
        }
        catch (RedisException ex)
        {
            Log.Unavailable(logger, ex);
            return null;
        }
        catch (InvalidDataException ex)
        {
            Log.Unusable(logger, query.Space, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Stores an answer under its question, unless the space is full, without holding up the response: a question not
    /// embedded for the lookup is embedded first, off the request's path.
    /// </summary>
    public void Store(SemanticQuery query, ChatResponse response)
    {
        if (query.Vector is { } vector)
        {
            Append(query, vector, response);
            return;
        }
        // Misses can come faster than the model embeds their questions: past a bound the cache stores fewer answers
        // rather than owe the cores an ever longer queue.
        if (Interlocked.Increment(ref _pendingStores) > options.Value.SemanticPendingStores)
        {
            Interlocked.Decrement(ref _pendingStores);
            _storesSkipped.Add(1);
            return;
        }
        var key = StoringKey(query);
        var storing = Task.Run(async () =>
        {
            try
            {
                Append(query, await LocalVectorAsync(query.Question, CancellationToken.None), response);
            }
            catch (Exception ex)
            {
                Log.NotStored(logger, ex);
            }
            finally
            {
                Interlocked.Decrement(ref _pendingStores);
            }
        });
        var pending = _storing.AddOrUpdate(key, storing, (_, earlier) => Task.WhenAll(earlier, storing));
        pending.ContinueWith(done => _storing.TryRemove(new(key, done)), TaskScheduler.Default);
    }

    private static string StoringKey(SemanticQuery query) => $"{query.Space}\n{query.Identifiers}";

    private void Append(SemanticQuery query, float[] vector, ChatResponse response)
    {
        try
        {
            redis.GetDatabase().ScriptEvaluate(AppendScript, [query.Space],
                [Entry(query.Question, vector, response), options.Value.SemanticMaxEntries, (long)options.Value.ExactTtl.TotalMilliseconds], CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            Log.Unavailable(logger, ex);
        }
    }

    private async Task<float[]> LocalVectorAsync(string question, CancellationToken cancellationToken) =>
        (await localEmbeddings.GenerateAsync([question], cancellationToken: cancellationToken))[0].Vector.ToArray();

    public void Dispose() => _mirrors.Dispose();

    /// <summary>The question's unit vector from the configured provider model, through the Orchestrator; null if it failed or took too long.</summary>
    private async Task<float[]?> EmbedAsync(string question, OrchestratorClient orchestrator, UsageRecord usage, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (catalog.Find(settings.SemanticEmbeddingModel).Model is not { IsEmbedding: true } model)
        {
            Log.NoEmbeddingModel(logger, settings.SemanticEmbeddingModel);
            return null;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.SemanticEmbeddingTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await orchestrator.EmbedAsync(new EmbeddingExecutionRequest(model.Provider, model.Model.Id, [question], null), timeout.Token);
            if (result.Error is { } error)
            {
                Log.EmbeddingFailed(logger, model.QualifiedId, error.Message);
                return null;
            }
            usage.CacheEmbedding = new(model, result.Value!.InputTokens, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return EmbeddingExecutionResponse.Normalised(result.Value.Vectors[0]);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.EmbeddingFailed(logger, model.QualifiedId, $"no answer within {settings.SemanticEmbeddingTimeout.TotalSeconds:0.#} s");
            return null;
        }
        catch (HttpRequestException ex)
        {
            Log.EmbeddingFailed(logger, model.QualifiedId, ex.Message);
            return null;
        }
    }

    // How many of the nearest questions are verified before giving up.
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
    private async Task<(ChatResponse Response, float Similarity)?> AnswerAsync(SemanticQuery query, SpaceMirror mirror, int position, string mirroredQuestion)
    {
        var stored = await redis.GetDatabase().ListGetByIndexAsync(query.Space, position);
        if (stored.IsNull)
        {
            _mirrors.Remove(query.Space);
            return null;
        }
        var (vector, question, answer) = Parse(stored);
        var similarity = vector.Length == query.Vector!.Length ? TensorPrimitives.Dot(vector, query.Vector) : 0;
        if (question != mirroredQuestion || similarity < options.Value.SemanticThreshold)
        {
            _mirrors.Remove(query.Space);
            return null;
        }
        return (JsonSerializer.Deserialize<ChatResponse>(answer.Span, ExecutionJson.Options)!, similarity);
    }

    /// <summary>The space's questions: the mirror here, caught up with whatever was appended since (anew if the list shrank, having expired or been flushed).</summary>
    private async Task<SpaceMirror> MirrorAsync(string space, int dimensions)
    {
        var database = redis.GetDatabase();
        var length = await database.ListLengthAsync(space);
        if (!_mirrors.TryGetValue<SpaceMirror>(space, out var mirror) || mirror!.Questions.Count > length || mirror.Questions.Dimensions != dimensions)
        {
            mirror = new SpaceMirror(dimensions);
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
                        var (vector, question, _) = Parse(entry);
                        if (vector.Length != dimensions)
                        {
                            // The same model answered in other dimensions (reconfigured): this space is unusable until it expires.
                            throw new InvalidDataException($"The space holds {vector.Length}-dimensional questions, not {dimensions}.");
                        }
                        mirror.Add(vector, question);
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

    // An entry: the question's dimensions and vector, its text (length-prefixed UTF-8), then the answer's JSON; only the answer is parsed on a hit.
    private static byte[] Entry(string text, float[] vector, ChatResponse response)
    {
        var answer = JsonSerializer.SerializeToUtf8Bytes(response, ExecutionJson.Options);
        var question = Encoding.UTF8.GetBytes(text);
        var vectorEnd = sizeof(int) + (vector.Length * sizeof(float));
        var entry = new byte[vectorEnd + sizeof(int) + question.Length + answer.Length];
        BinaryPrimitives.WriteInt32LittleEndian(entry, vector.Length);
        MemoryMarshal.AsBytes(vector.AsSpan()).CopyTo(entry.AsSpan(sizeof(int)));
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(vectorEnd), question.Length);
        question.CopyTo(entry.AsSpan(vectorEnd + sizeof(int)));
        answer.CopyTo(entry.AsSpan(vectorEnd + sizeof(int) + question.Length));
        return entry;
    }

    private static (float[] Vector, string Question, ReadOnlyMemory<byte> Answer) Parse(RedisValue stored)
    {
        var entry = (ReadOnlyMemory<byte>)stored;
        var vectorEnd = sizeof(int) + (BinaryPrimitives.ReadInt32LittleEndian(entry.Span) * sizeof(float));
        var vector = MemoryMarshal.Cast<byte, float>(entry.Span[sizeof(int)..vectorEnd]).ToArray();
        var tokensLength = BinaryPrimitives.ReadInt32LittleEndian(entry.Span[vectorEnd..]);
        var tokensStart = vectorEnd + sizeof(int);
        return (vector, Encoding.UTF8.GetString(entry.Span.Slice(tokensStart, tokensLength)), entry[(tokensStart + tokensLength)..]);
    }

    private sealed record SpaceMaterial(string EmbeddingModel, string Model, IList<string> Fallbacks, RouteRequest? Route, IList<ChatMessage> Context, ChatExecutionOptions Options);

    private sealed class SpaceMirror(int dimensions)
    {
        public VectorIndex<string> Questions { get; } = new(dimensions);

        /// <summary>The numbers and identifiers of the questions (<see cref="QuestionVerifier.Identifiers"/>): a question with none of these has no match here.</summary>
        public ConcurrentDictionary<string, bool> Identifiers { get; } = new(StringComparer.Ordinal);

        public SemaphoreSlim CatchingUp { get; } = new(1, 1);

        public void Add(float[] vector, string question)
        {
            Identifiers.TryAdd(QuestionVerifier.Identifiers(question), true);
            Questions.Add(vector, question);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis is unavailable for the semantic cache; answering without it.")]
        public static partial void Unavailable(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "The semantic cache's embedding model {Model} is not an embedding model in the catalog; answering without the semantic cache.")]
        public static partial void NoEmbeddingModel(ILogger logger, string model);

        [LoggerMessage(3, LogLevel.Warning, "Embedding a question with {Model} for the semantic cache failed ({Reason}); answering without it.")]
        public static partial void EmbeddingFailed(ILogger logger, string model, string reason);

        [LoggerMessage(4, LogLevel.Warning, "The semantic cache space {Space} cannot be used: {Reason}")]
        public static partial void Unusable(ILogger logger, string space, string reason);

        [LoggerMessage(5, LogLevel.Warning, "An answer could not be stored in the semantic cache.")]
        public static partial void NotStored(ILogger logger, Exception exception);
    }
}

/// <summary>Where a request's question is looked up (its space), its text and, once embedded, its vector.</summary>
public sealed class SemanticQuery(string space, string question)
{
    public string Space { get; } = space;

    public string Question { get; } = question;

    /// <summary>The question's numbers and identifiers (<see cref="QuestionVerifier.Identifiers"/>), read once.</summary>
    public string Identifiers { get; } = QuestionVerifier.Identifiers(question);

    /// <summary>Null until the local model is needed (a provider's vector is made with the query).</summary>
    public float[]? Vector { get; set; }
}
