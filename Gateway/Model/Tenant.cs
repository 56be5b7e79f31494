using System.Text.Json.Serialization;

namespace Gateway.Model;

public sealed class Tenant
{
    public Guid Id { get; set; }

    /// <summary>A short unique name (lowercase letters, digits, dashes), such as <c>demo</c>.</summary>
    public required string Name { get; set; }

    public string Plan { get; set; } = TenantPlans.Free;

    public TenantStatus Status { get; set; } = TenantStatus.Active;

    /// <summary>Whether identical requests may be answered from the exact cache. Default true.</summary>
    public bool CacheEnabled { get; set; } = true;

    /// <summary>Whether a question asked before in other words may be answered from the semantic cache (as well as <see cref="CacheEnabled"/>). Default true.</summary>
    public bool SemanticCacheEnabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<TenantStatus>))]
public enum TenantStatus
{
    [JsonStringEnumMemberName("active")]
    Active,

    [JsonStringEnumMemberName("disabled")]
    Disabled,
}

public static class TenantPlans
{
    public const string Free = "free";
    public const string Pro = "pro";
    public const string Enterprise = "enterprise";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Free, Pro, Enterprise };
}
