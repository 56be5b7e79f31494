namespace AppHost.LocalServers;

/// <summary>
/// The folder the local servers keep their state in (<c>.data/</c> by default), and the secrets generated into it once,
/// so every run on the same folder gets the same passwords and keys.
/// </summary>
public sealed class DataFolder(string path)
{
    private readonly Lock _gate = new();

    public string Path { get; } = path;

    public string PathFor(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A parameter default generated once into <paramref name="file"/> (a password unless <paramref name="generate"/> says otherwise).</summary>
    public ParameterDefault Secret(string file, Func<string>? generate = null) => new DataFolderSecret(this, file, generate ?? AppHost.Secrets.NewPassword);

    /// <summary>The secret kept in <paramref name="file"/> (relative to the folder), generated the first time it is asked for.</summary>
    public string GetOrCreateSecret(string file, Func<string> generate)
    {
        // Resources start in parallel and share secrets: one creates, the others read what it wrote.
        lock (_gate)
        {
            var path = PathFor(file);
            if (File.Exists(path))
            {
                var value = File.ReadAllText(path).Trim();
                return value.Length > 0
                    ? value
                    : throw new DistributedApplicationException(
                        $"The secret file {path} is empty, so the data folder looks damaged. Restore it, or delete the whole data folder to start afresh.");
            }
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            var generated = generate();
            // Written aside and moved into place, so a crash never leaves an empty secret behind.
            var temporary = path + ".new";
            File.WriteAllText(temporary, generated + "\n");
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary, path);
            return generated;
        }
    }
}
