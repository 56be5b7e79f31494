namespace AppHost.Tests;

/// <summary>A data folder under /tmp that the postgres user can reach, deleted afterwards.</summary>
public sealed class ThrowawayDataDirectory : IDisposable
{
    public ThrowawayDataDirectory()
    {
        Path = Directory.CreateTempSubdirectory("aiplatform-apphost-").FullName;
        File.SetUnixFileMode(Path, (UnixFileMode)0b111_101_101);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
