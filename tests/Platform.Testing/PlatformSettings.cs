using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Platform.Catalog;

namespace Platform.Testing;

/// <summary>
/// What a platform under test is configured with, written with the services' own options types rather than
/// configuration strings: providers as <see cref="ProviderOptions"/>, any other section as its options class (only
/// the properties a test changes are passed on), replicas and the AppHost's own arguments.
/// </summary>
public sealed class PlatformSettings
{
    private static readonly JsonSerializerOptions Json = new();
    private readonly List<(string? Service, string Key, string Value)> _values = [];

    /// <summary>LLM providers every service sees, as <c>Providers:{name}</c>.</summary>
    public Dictionary<string, ProviderOptions> Providers { get; } = [];

    /// <summary>Arguments for the AppHost itself, such as <c>--ConnectionStrings:qdrant=…</c>.</summary>
    public List<string> AppHostArguments { get; } = [];

    /// <summary>The services' environment (<c>ASPNETCORE_ENVIRONMENT</c>); default: their launch profiles' (Development).</summary>
    public string? ServiceEnvironment { get; set; }

    /// <summary>Runs <paramref name="replicas"/> copies of a service behind one address.</summary>
    public PlatformSettings WithReplicas(string service, int replicas)
    {
        AppHostArguments.Add($"--Resources:{service}:Replicas={replicas}");
        return this;
    }

    /// <summary>
    /// Changes the options bound from <paramref name="section"/> (for every service, or only <paramref name="service"/>):
    /// the properties that differ from a new <typeparamref name="TOptions"/> after <paramref name="configure"/>.
    /// </summary>
    public PlatformSettings Configure<TOptions>(string section, Action<TOptions> configure, string? service = null) where TOptions : new()
    {
        var defaults = Flatten(new TOptions());
        var options = new TOptions();
        configure(options);
        foreach (var (key, value) in Flatten(options))
        {
            if (!defaults.TryGetValue(key, out var original) || original != value)
            {
                _values.Add((service, $"{section}:{key}", value));
            }
        }
        return this;
    }

    /// <summary>The environment variables of <paramref name="service"/>, named as configuration keys are in the environment.</summary>
    internal Dictionary<string, string> ToEnvironment(string service)
    {
        var environment = new Dictionary<string, string>();
        foreach (var (name, provider) in Providers)
        {
            foreach (var (key, value) in Flatten(provider))
            {
                environment[EnvironmentName($"Providers:{name}:{key}")] = value;
            }
        }
        foreach (var (only, key, value) in _values)
        {
            if (only is null || only == service)
            {
                environment[EnvironmentName(key)] = value;
            }
        }
        if (ServiceEnvironment is not null)
        {
            environment["ASPNETCORE_ENVIRONMENT"] = ServiceEnvironment;
            environment["DOTNET_ENVIRONMENT"] = ServiceEnvironment;
        }
        return environment;
    }

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    // The configuration keys an options object binds from, as JSON configuration flattens it.
    private static Dictionary<string, string> Flatten(object options)
    {
        using var json = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(options, options.GetType(), Json));
        return new ConfigurationBuilder().AddJsonStream(json).Build().AsEnumerable()
            .Where(entry => entry.Value is not null)
            .ToDictionary(entry => entry.Key, entry => entry.Value!);
    }
}
