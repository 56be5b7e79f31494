using System.Text.Json.Serialization;

namespace Billing.Model;

/// <summary>A budget threshold crossed in a period: recorded once (unique), then published and sent to the webhook.</summary>
public sealed class BudgetAlert
{
    public Guid Id { get; set; }

    [JsonIgnore]
    public Guid TenantId { get; set; }

    public Guid BudgetId { get; set; }

    public Guid? KeyId { get; set; }

    public required string Period { get; set; }

    public DateOnly PeriodStart { get; set; }

    public int Threshold { get; set; }

    public decimal Limit { get; set; }

    public decimal Spent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the alert event reached JetStream; null until then (it is published again until it does).</summary>
    public DateTimeOffset? PublishedAt { get; set; }
}
