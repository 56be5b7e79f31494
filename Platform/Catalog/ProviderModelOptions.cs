namespace Platform.Catalog;

public sealed class ProviderModelOptions
{
    public string Id { get; set; } = "";

    /// <summary><c>chat</c> (default) or <c>embedding</c>.</summary>
    public string Type { get; set; } = ModelTypes.Chat;

    /// <summary>USD per million input tokens.</summary>
    public decimal InputPricePerMillion { get; set; }

    /// <summary>USD per million output tokens.</summary>
    public decimal OutputPricePerMillion { get; set; }

    public int? ContextWindow { get; set; }

    /// <summary><c>economy</c>, <c>standard</c> (default) or <c>premium</c>: the Router's prior for quality before it has learned.</summary>
    public string Tier { get; set; } = ModelTiers.Standard;

    /// <summary>What the model can do beyond text: <c>tools</c>, <c>json</c>, <c>vision</c>.</summary>
    public List<string> Capabilities { get; set; } = [];

    /// <summary>Constraints it satisfies, such as <c>region:eu</c>, matched against a tenant policy's tags.</summary>
    public List<string> Tags { get; set; } = [];
}
