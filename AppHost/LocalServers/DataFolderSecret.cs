using Aspire.Hosting.Publishing;

namespace AppHost.LocalServers;

/// <summary>
/// A parameter's default kept in the data folder: generated on the first run, read on every later one.
/// Configuration (<c>Parameters:{name}</c>) still wins; the manifest asks the deployment to generate one.
/// </summary>
public sealed class DataFolderSecret(DataFolder folder, string file, Func<string> generate) : ParameterDefault
{
    public override string GetDefaultValue() => folder.GetOrCreateSecret(file, generate);

    public override void WriteToManifest(ManifestPublishingContext context) =>
        new GenerateParameterDefault { MinLength = 32, Special = false }.WriteToManifest(context);
}
