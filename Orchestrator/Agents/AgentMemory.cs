using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Orchestrator.Infrastructure;
using Orchestrator.Model;
using Orchestrator.Services;
using StackExchange.Redis;

namespace Orchestrator.Agents;

/// <summary>
/// A tenant's users' memory, in three tiers. Hot: each conversation's turns in Redis, kept for its TTL. Warm: past
/// exchanges and facts with their embeddings (the local model's) in PostgreSQL, recalled by similarity. Cold: facts
/// as entities and relations in PostgreSQL. The tables are under row-level security and the Redis keys carry the
/// tenant, so no tenant reads another's; a user's memory is listed and erased whole.
/// </summary>
public sealed class AgentMemory(
    OrchestratorDbContext db, TenantContext tenant, IConnectionMultiplexer redis, LocalEmbeddingGenerator embeddings, TokenCounter tokens, TimeProvider time)
{
    /// <summary>A user's most recent warm memories searched for a recall; older ones are kept but not compared.</summary>
    public const int RecallScanLimit = 5_000;

    /// <summary>The author of the messages memory adds to a run, so a resumed run does not add them twice.</summary>
    public const string Author = "memory";

    /// <summary>Whose memory a run reads when its caller names no user: the API key's own.</summary>
    public static string KeyUser(Guid keyId) => $"key:{keyId}";

    // ---- Hot: conversations in Redis ----

    public async Task<ConversationMemory?> LoadConversationAsync(AgentRun run)
    {
        if (run.Conversation is null)
        {
            return null;
        }
        var stored = await redis.GetDatabase().StringGetAsync(ConversationKey(run.TenantId, run.AgentName, run.User, run.Conversation));
        return stored.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ConversationMemory>(stored.ToString(), RunEvents.Json);
    }

    /// <summary>Stores the conversation for another <see cref="MemorySettings.ConversationHours"/>, listed under its user for erasure.</summary>
    public async Task SaveConversationAsync(AgentRun run, ConversationMemory conversation, MemorySettings settings)
    {
        var ttl = TimeSpan.FromHours(settings.ConversationHours);
        var key = ConversationKey(run.TenantId, run.AgentName, run.User, run.Conversation!);
        var index = ConversationIndexKey(run.TenantId, run.User);
        var batch = redis.GetDatabase().CreateBatch();
        var writes = new Task[]
        {
            batch.StringSetAsync(key, JsonSerializer.Serialize(conversation, RunEvents.Json), ttl),
            batch.SetAddAsync(index, key.ToString()),
            // The index lives as long as its longest conversation may.
            batch.KeyExpireAsync(index, ttl, ExpireWhen.GreaterThanCurrentExpiry),
            batch.KeyExpireAsync(index, ttl, ExpireWhen.HasNoExpiry),
        };
        batch.Execute();
        await Task.WhenAll(writes);
    }

    public int Tokens(ConversationMemory conversation) =>
        tokens.Count(conversation.Summary ?? "") + conversation.Turns.Sum(Tokens);

    public int Tokens(ConversationTurn turn) => tokens.Count(turn.Text);

    // ---- Warm: past exchanges and facts by similarity ----

    /// <summary>The user's memories nearest <paramref name="query"/>, best first: at most <paramref name="top"/>, none below <paramref name="threshold"/>.</summary>
    public async Task<List<RecalledMemory>> RecallAsync(AgentRun run, string query, int top, double threshold, CancellationToken cancellationToken)
    {
        if (top <= 0 || string.IsNullOrWhiteSpace(query))
        {
            return [];
        }
        // Exchanges of the run's own conversation are in its hot memory (or its summary) already.
        var entries = await db.MemoryEntries.AsNoTracking()
            .Where(e => e.User == run.User && !(run.Conversation != null && db.AgentRuns.Any(r => r.Id == e.RunId && e.Kind == MemoryKind.Exchange
                && r.AgentName == run.AgentName && r.Conversation == run.Conversation)))
            .OrderByDescending(e => e.CreatedAt).Take(RecallScanLimit)
            .Select(e => new { e.Kind, e.Text, e.Embedding, e.CreatedAt }).ToListAsync(cancellationToken);
        if (entries.Count == 0)
        {
            return [];
        }
        var vector = await EmbedAsync(query, cancellationToken);
        return [.. entries
            .Select(e => new RecalledMemory(e.Kind, e.Text, TensorPrimitives.Dot(vector, e.Embedding), e.CreatedAt))
            .Where(m => m.Score >= threshold)
            .OrderByDescending(m => m.Score)
            .Take(top)];
    }

    /// <summary>A finished run's question and answer as one warm memory (once per run, however often it is finished).</summary>
    public async Task RememberExchangeAsync(AgentRun run, CancellationToken cancellationToken)
    {
        var embedding = await EmbedAsync(run.Question, cancellationToken);
        var text = $"The user said: {run.Question}\nThe answer was: {run.Answer}";
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO memory_entries (id, tenant_id, user_id, agent, kind, text, embedding, run_id, created_at)
            VALUES ({run.Id}, {run.TenantId}, {run.User}, {run.AgentName}, {nameof(MemoryKind.Exchange)}, {text}, {embedding}, {run.Id}, {time.GetUtcNow()})
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken);
    }

    // ---- Cold: entities and relations, through the agent's memory tools ----

    /// <summary>
    /// Stores <c>subject relation object</c> for the run's user (entities found by name or added; a fact known
    /// already is not added twice), and the fact as a warm memory too, so that it is recalled by similarity.
    /// Written outside the run's unit of work (its change tracker stays the run's own) and safe to repeat.
    /// </summary>
    public async Task<string> RememberFactAsync(AgentRun run, string subject, string relation, string @object, CancellationToken cancellationToken)
    {
        (subject, relation, @object) = (subject.Trim(), Fold(relation).Replace(' ', '_'), @object.Trim());
        if (subject.Length is 0 or > OrchestratorDbContext.MemoryNameMaxLength || @object.Length is 0 or > OrchestratorDbContext.MemoryNameMaxLength
            || relation.Length is 0 or > OrchestratorDbContext.MemoryNameMaxLength)
        {
            throw new ArgumentException($"subject, relation and object are each 1 to {OrchestratorDbContext.MemoryNameMaxLength} characters.");
        }
        var subjectId = await EntityAsync(run, subject, cancellationToken);
        var objectId = await EntityAsync(run, @object, cancellationToken);
        var now = time.GetUtcNow();
        var added = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO memory_relations (id, tenant_id, user_id, subject_id, relation, object_id, agent, created_at)
            VALUES ({Guid.CreateVersion7()}, {run.TenantId}, {run.User}, {subjectId}, {relation}, {objectId}, {run.AgentName}, {now})
            ON CONFLICT (tenant_id, user_id, subject_id, relation, object_id) DO NOTHING
            """, cancellationToken);
        var fact = $"{subject} {relation.Replace('_', ' ')} {@object}";
        if (added > 0)
        {
            var embedding = await EmbedAsync(fact, cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO memory_entries (id, tenant_id, user_id, agent, kind, text, embedding, run_id, created_at)
                VALUES ({Guid.CreateVersion7()}, {run.TenantId}, {run.User}, {run.AgentName}, {nameof(MemoryKind.Fact)}, {fact}, {embedding}, {run.Id}, {now})
                """, cancellationToken);
        }
        return added > 0 ? $"Remembered: {fact}." : $"Already known: {fact}.";
    }

    /// <summary>The facts about entities whose names contain <paramref name="about"/>, then the warm memories nearest it.</summary>
    public async Task<string> RecallFactsAsync(AgentRun run, string about, CancellationToken cancellationToken)
    {
        var key = Fold(about);
        var facts = await Facts(db.MemoryRelations.Where(r => r.User == run.User
                && (db.MemoryEntities.Any(e => e.Id == r.SubjectId && e.Key.Contains(key)) || db.MemoryEntities.Any(e => e.Id == r.ObjectId && e.Key.Contains(key)))))
            .Take(50).ToListAsync(cancellationToken);
        var similar = await RecallAsync(run, about, 3, 0.3, cancellationToken);
        var text = new StringBuilder();
        foreach (var fact in facts)
        {
            text.Append("- ").Append(fact.Subject).Append(' ').Append(fact.Relation.Replace('_', ' ')).Append(' ').Append(fact.Object).Append('\n');
        }
        foreach (var memory in similar.Where(m => m.Kind == MemoryKind.Exchange))
        {
            text.Append("- (from an earlier conversation) ").Append(memory.Text.ReplaceLineEndings(" ")).Append('\n');
        }
        return text.Length == 0 ? $"Nothing is remembered about '{about}'." : text.ToString();
    }

    // ---- A user's memory, listed and erased ----

    /// <summary>The users the tenant's agents remember, newest first.</summary>
    public async Task<List<MemoryUserSummary>> ListUsersAsync(int limit, CancellationToken cancellationToken)
    {
        var entries = await db.MemoryEntries.GroupBy(e => e.User)
            .Select(g => new { User = g.Key, Entries = g.Count(), Last = g.Max(e => e.CreatedAt) }).ToListAsync(cancellationToken);
        var facts = await db.MemoryRelations.GroupBy(r => r.User).Select(g => new { User = g.Key, Facts = g.Count() }).ToDictionaryAsync(g => g.User, g => g.Facts, cancellationToken);
        return [.. entries.Select(e => new MemoryUserSummary(e.User, e.Entries, facts.GetValueOrDefault(e.User), e.Last)).OrderByDescending(u => u.LastRemembered).Take(limit)];
    }

    public async Task<UserMemoryView> GetAsync(string user, CancellationToken cancellationToken)
    {
        var conversations = new List<ConversationMemory>();
        var database = redis.GetDatabase();
        foreach (var key in await database.SetMembersAsync(ConversationIndexKey(tenant.RequiredTenantId, user)))
        {
            var stored = await database.StringGetAsync(key.ToString());
            if (!stored.IsNullOrEmpty)
            {
                conversations.Add(JsonSerializer.Deserialize<ConversationMemory>(stored.ToString(), RunEvents.Json)!);
            }
        }
        var entries = await db.MemoryEntries.AsNoTracking().Where(e => e.User == user).OrderByDescending(e => e.CreatedAt).Take(200)
            .Select(e => new MemoryEntryView(e.Id, e.Kind.ToString().ToLowerInvariant(), e.Agent, e.Text, e.CreatedAt)).ToListAsync(cancellationToken);
        var facts = await Facts(db.MemoryRelations.Where(r => r.User == user)).Take(500).ToListAsync(cancellationToken);
        return new UserMemoryView(user, [.. conversations.OrderByDescending(c => c.UpdatedAt)], entries, facts);
    }

    /// <summary>Forgets everything about <paramref name="user"/>: conversations, warm memories, entities and relations.</summary>
    public async Task<ErasedMemory> EraseAsync(string user, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var index = ConversationIndexKey(tenant.RequiredTenantId, user);
        var keys = (await database.SetMembersAsync(index)).Select(k => new RedisKey(k.ToString())).Append(index).ToArray();
        var conversations = await database.KeyDeleteAsync(keys) - 1;
        var relations = await db.MemoryRelations.Where(r => r.User == user).ExecuteDeleteAsync(cancellationToken);
        var entities = await db.MemoryEntities.Where(e => e.User == user).ExecuteDeleteAsync(cancellationToken);
        var entries = await db.MemoryEntries.Where(e => e.User == user).ExecuteDeleteAsync(cancellationToken);
        return new ErasedMemory(user, (int)Math.Max(conversations, 0), entries, entities, relations);
    }

    private IQueryable<MemoryFactView> Facts(IQueryable<MemoryRelation> relations) =>
        from r in relations
        join s in db.MemoryEntities on r.SubjectId equals s.Id
        join o in db.MemoryEntities on r.ObjectId equals o.Id
        orderby r.CreatedAt
        select new MemoryFactView(s.Name, r.Relation, o.Name, r.Agent, r.CreatedAt);

    private async Task<Guid> EntityAsync(AgentRun run, string name, CancellationToken cancellationToken)
    {
        var key = Fold(name);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO memory_entities (id, tenant_id, user_id, name, key, created_at)
            VALUES ({Guid.CreateVersion7()}, {run.TenantId}, {run.User}, {name}, {key}, {time.GetUtcNow()})
            ON CONFLICT (tenant_id, user_id, key) DO NOTHING
            """, cancellationToken);
        return await db.MemoryEntities.Where(e => e.User == run.User && e.Key == key).Select(e => e.Id).FirstAsync(cancellationToken);
    }

    private async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) =>
        (await embeddings.GenerateAsync([text], cancellationToken: cancellationToken))[0].Vector.ToArray();

    private static string Fold(string name) => name.Trim().ToLowerInvariant();

    // Hashed: users and conversations are any strings, and a key must name one conversation whatever they hold.
    private static RedisKey ConversationKey(Guid tenantId, string agent, string user, string conversation) =>
        $"memory:conversation:{tenantId}:{Hash($"{agent.Length}:{agent}:{user.Length}:{user}:{conversation}")}";

    private static RedisKey ConversationIndexKey(Guid tenantId, string user) => $"memory:conversations:{tenantId}:{Hash(user)}";

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
}

/// <summary>A conversation's hot memory: a summary of its older turns, and the newer ones word for word.</summary>
public sealed record ConversationMemory(string Agent, string User, string Conversation, string? Summary, List<ConversationTurn> Turns, Guid? LastRunId, DateTimeOffset UpdatedAt);

public sealed record ConversationTurn(string Role, string Text)
{
    public ChatMessage ToMessage() => new(new ChatRole(Role), Text) { AuthorName = AgentMemory.Author };
}

public sealed record RecalledMemory(MemoryKind Kind, string Text, float Score, DateTimeOffset CreatedAt);

public sealed record MemoryUserSummary(string User, int Memories, int Facts, DateTimeOffset LastRemembered);

public sealed record UserMemoryView(string User, List<ConversationMemory> Conversations, List<MemoryEntryView> Memories, List<MemoryFactView> Facts);

public sealed record MemoryEntryView(Guid Id, string Kind, string Agent, string Text, DateTimeOffset CreatedAt);

public sealed record MemoryFactView(string Subject, string Relation, string Object, string Agent, DateTimeOffset CreatedAt);

public sealed record ErasedMemory(string User, int Conversations, int Memories, int Entities, int Facts);
