namespace Analytics.Model;

/// <summary>What usage can be split by besides time, and the rollup column that holds it.</summary>
public sealed record UsageDimension(string Name, string Column)
{
    public static readonly UsageDimension Model = new("model", "model");
    public static readonly UsageDimension Provider = new("provider", "provider");
    public static readonly UsageDimension Key = new("key", "key_id::text");

    public static UsageDimension? Find(string name) =>
        new[] { Model, Provider, Key }.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
