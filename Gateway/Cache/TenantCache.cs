using StackExchange.Redis;

namespace Gateway.Cache;

/// <summary>
/// A tenant's cached answers as a whole: counted and flushed. Both caches keep a tenant's entries under its own key
/// prefix, found with SCAN (a management call, not the request path). Gateways' in-memory mirrors of a flushed
/// semantic space see its list gone on their next lookup and start over.
/// </summary>
public sealed class TenantCache(IConnectionMultiplexer redis)
{
    public async Task<CacheContents> CountAsync(Guid tenantId)
    {
        var exact = 0L;
        await foreach (var _ in KeysAsync(ExactCache.KeyPrefix(tenantId)))
        {
            exact++;
        }
        var (spaces, questions) = (0L, 0L);
        var database = redis.GetDatabase();
        await foreach (var space in KeysAsync(SemanticCache.SpacePrefix(tenantId)))
        {
            spaces++;
            questions += await database.ListLengthAsync(space);
        }
        return new CacheContents(exact, spaces, questions);
    }

    /// <summary>Removes every entry of the tenant's, and says what there was.</summary>
    public async Task<CacheContents> FlushAsync(Guid tenantId)
    {
        var contents = await CountAsync(tenantId);
        var database = redis.GetDatabase();
        foreach (var prefix in new[] { ExactCache.KeyPrefix(tenantId), SemanticCache.SpacePrefix(tenantId) })
        {
            var batch = new List<RedisKey>(500);
            await foreach (var key in KeysAsync(prefix))
            {
                batch.Add(key);
                if (batch.Count == 500)
                {
                    await database.KeyDeleteAsync([.. batch]);
                    batch.Clear();
                }
            }
            if (batch.Count > 0)
            {
                await database.KeyDeleteAsync([.. batch]);
            }
        }
        return contents;
    }

    private async IAsyncEnumerable<RedisKey> KeysAsync(string prefix)
    {
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: $"{prefix}*", pageSize: 1_000))
            {
                yield return key;
            }
        }
    }
}

/// <summary>What a tenant's caches hold: exact answers, and semantic spaces with their questions.</summary>
public sealed record CacheContents(long ExactEntries, long SemanticSpaces, long SemanticEntries);
