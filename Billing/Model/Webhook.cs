using System.Text.Json.Serialization;

namespace Billing.Model;

/// <summary>Where a tenant wants its budget alerts POSTed, signed with HMAC-SHA256 under its secret.</summary>
public sealed class Webhook
{
    [JsonIgnore]
    public Guid TenantId { get; set; }

    public required string Url { get; set; }

    // Never serialized (System.Text.Json refuses an ignored required member, so it is not one).
    [JsonIgnore]
    public string Secret { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>How sending one alert to the webhook went: attempts until it was delivered.</summary>
public sealed class WebhookDelivery
{
    public Guid AlertId { get; set; }

    [JsonIgnore]
    public Guid TenantId { get; set; }

    public required string Url { get; set; }

    public int Attempts { get; set; }

    public int? LastStatus { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset LastAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}
