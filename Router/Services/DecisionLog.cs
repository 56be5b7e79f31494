using StackExchange.Redis;

namespace Router.Services;

/// <summary>
/// What a decision was, kept a day in Redis: whose it was, for which intent, and (once its outcome arrives) which
/// model answered, so feedback on it can be credited to the right model and intent.
/// </summary>
public sealed class DecisionLog(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    public void Record(string decisionId, Guid tenantId, string intent) =>
        redis.GetDatabase().HashSet(Key(decisionId), [new("tenant", tenantId.ToString()), new("intent", intent)], CommandFlags.FireAndForget);

    public async Task AnsweredAsync(string decisionId, string model)
    {
        var database = redis.GetDatabase();
        await database.HashSetAsync(Key(decisionId), "model", model);
        await database.KeyExpireAsync(Key(decisionId), Lifetime);
    }

    public async Task<DecisionRecord?> FindAsync(string decisionId)
    {
        var fields = await redis.GetDatabase().HashGetAsync(Key(decisionId), ["tenant", "intent", "model"]);
        return fields[0].IsNull ? null : new DecisionRecord(Guid.Parse((string)fields[0]!), (string)fields[1]!, fields[2].IsNull ? null : (string)fields[2]!);
    }

    private static RedisKey Key(string decisionId) => $"router:decision:{decisionId}";
}

public sealed record DecisionRecord(Guid TenantId, string Intent, string? AnsweredBy);
