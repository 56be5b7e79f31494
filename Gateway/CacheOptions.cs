namespace Gateway;

/// <summary>Bound from <c>Cache</c>.</summary>
public sealed class CacheOptions
{
    /// <summary>Default true: identical chat requests of a tenant are answered from Redis.</summary>
    public bool ExactEnabled { get; set; } = true;

    /// <summary>Default one hour.</summary>
    public TimeSpan ExactTtl { get; set; } = TimeSpan.FromHours(1);
}
