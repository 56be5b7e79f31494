using Gateway.Model;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Services;

/// <summary>The internal token for a key, minted once a minute (tokens live five) rather than on every request.</summary>
public sealed class InternalTokenCache(InternalTokenIssuer tokens, IMemoryCache memory)
{
    private static readonly TimeSpan Reuse = TimeSpan.FromMinutes(1);

    public string For(TenantKey key) => memory.GetOrCreate(("internal-token", key.KeyId), entry =>
    {
        entry.Size = 1;
        entry.AbsoluteExpirationRelativeToNow = Reuse;
        return tokens.IssueForTenant(key.TenantId, key.KeyId.ToString());
    })!;
}
