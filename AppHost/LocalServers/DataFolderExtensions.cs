namespace AppHost.LocalServers;

public static class DataFolderExtensions
{
    /// <summary>The folder in <c>LocalServers:DataDirectory</c>, by default <c>.data/</c> at the repository root.</summary>
    public static DataFolder AddDataFolder(this IDistributedApplicationBuilder builder)
    {
        var path = Path.GetFullPath(builder.Configuration["LocalServers:DataDirectory"] ?? Path.Combine(builder.AppHostDirectory, "..", ".data"));
        if (File.Exists(path))
        {
            throw new DistributedApplicationException($"The data folder {path} is a file, not a folder. Nothing was changed: move it aside.");
        }
        if (builder.ExecutionContext.IsRunMode)
        {
            Directory.CreateDirectory(path);
        }
        return new DataFolder(path);
    }
}
