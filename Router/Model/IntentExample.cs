using System.Text.Json.Serialization;

namespace Router.Model;

/// <summary>A tenant's labelled example of an intent, which teaches the classifier its own wording.</summary>
public sealed class IntentExample
{
    public Guid Id { get; set; }

    [JsonIgnore]
    public Guid TenantId { get; set; }

    public required string Intent { get; set; }

    public required string Text { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
