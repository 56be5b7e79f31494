namespace AppHost.Hosting.Resources;

/// <summary>
/// A value the services need, as Aspire's parameters: taken from <c>Parameters:{name}</c> when configured, otherwise
/// (for secrets) generated once and kept in <c>.data/secrets/{name}</c>.
/// </summary>
public sealed class ParameterResource(string name, string? configuredValue, bool secret, Func<string> generate)
{
    public string Name { get; } = name;

    public bool Secret { get; } = secret;

    internal string GetValue(ResourceContext context) => configuredValue
        ?? (Secret ? context.Secrets.GetOrCreate(Name, generate)
                   : throw new DistributedApplicationException($"The parameter '{Name}' has no value: set Parameters:{Name}."));
}
