namespace AppHost.Hosting.Resources;

/// <summary>
/// A value the services need, as Aspire's parameters: taken from <c>Parameters:{name}</c> when configured, otherwise
/// (for secrets) generated once and kept in <paramref name="file"/> under the data folder.
/// </summary>
public sealed class ParameterResource(string name, string? configuredValue, bool secret, Func<string> generate, string file, bool announce)
{
    public string Name { get; } = name;

    public bool Secret { get; } = secret;

    public string File { get; } = file;

    /// <summary>Printed when the app is ready, for values a developer needs at once (the demo key).</summary>
    public bool Announce { get; } = announce;

    internal string GetValue(ResourceContext context) => configuredValue
        ?? (Secret ? context.Secrets.GetOrCreate(File, generate)
                   : throw new DistributedApplicationException($"The parameter '{Name}' has no value: set Parameters:{Name}."));
}
