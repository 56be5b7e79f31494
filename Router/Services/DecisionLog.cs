using StackExchange.Redis;

namespace Router.Services;

/// <summary>
/// What a decision was, kept a day in Redis: whose it was, for which intent, and (once its outcome arrives) which
/// model answered, so feedback on it can be credited to the right model and intent.
/// </summary>
public sealed class DecisionLog(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    public void Record(string decisionId, Guid tenantId, string intent, CanaryMark? canary)
    {
        HashEntry[] fields = canary is null
            ? [new("tenant", tenantId.ToString()), new("intent", intent)]
            : [new("tenant", tenantId.ToString()), new("intent", intent), new("arm", canary.Arm), new("canary", canary.CanaryId), new("tokens", canary.ExpectedTokens)];
        redis.GetDatabase().HashSet(Key(decisionId), fields, CommandFlags.FireAndForget);
    }

    public async Task AnsweredAsync(string decisionId, string model)
    {
        var database = redis.GetDatabase();
        await database.HashSetAsync(Key(decisionId), "model", model);
        await database.KeyExpireAsync(Key(decisionId), Lifetime);
    }

    public async Task<DecisionRecord?> FindAsync(string decisionId)
    {
        var fields = await redis.GetDatabase().HashGetAsync(Key(decisionId), ["tenant", "intent", "model", "arm", "canary", "tokens"]);
        return fields[0].IsNull ? null : new DecisionRecord(Guid.Parse((string)fields[0]!), (string)fields[1]!, (string?)fields[2],
            fields[3].IsNull ? null : new CanaryMark((string)fields[3]!, (string)fields[4]!, (string)fields[5]!));
    }

    /// <summary>True the first time only: a redelivered outcome is not counted twice for a canary.</summary>
    public Task<bool> FirstOutcomeAsync(string decisionId) => redis.GetDatabase().HashSetAsync(Key(decisionId), "judged", 1, When.NotExists);

    private static RedisKey Key(string decisionId) => $"router:decision:{decisionId}";
}

public sealed record DecisionRecord(Guid TenantId, string Intent, string? AnsweredBy, CanaryMark? Canary);

/// <summary>
/// A decision made while a canary ran: under which arm, for which canary (its start), and the tokens it was
/// priced at (<c>input/output</c>), so its cost can be compared across arms.
/// </summary>
public sealed record CanaryMark(string Arm, string CanaryId, string ExpectedTokens);
