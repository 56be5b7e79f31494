namespace Platform.Contracts;

/// <summary>
/// What the Router needs to know of a request to route it (<c>POST /api/v1/router/decide</c>): its text (the last
/// user message), its size and what it asks of a model. <see cref="Seed"/> fixes the exploration's dice, for a stable explanation.
/// </summary>
public sealed record DecisionRequest
{
    public string Text { get; init; } = "";

    /// <summary>Estimated input tokens of the whole conversation.</summary>
    public int InputTokens { get; init; }

    public int? MaxOutputTokens { get; init; }

    public bool Tools { get; init; }

    /// <summary><c>text</c>, <c>json_object</c>, <c>json_schema</c> or null.</summary>
    public string? ResponseFormat { get; init; }

    public bool StrictSchema { get; init; }

    public bool Vision { get; init; }

    /// <summary>The calling key's allow-list (empty: every model the tenant's policy allows).</summary>
    public IList<string> AllowedModels { get; init; } = [];

    public bool Explain { get; init; }

    public int? Seed { get; init; }
}
