using System.Security.Cryptography;

namespace AppHost.Hosting;

/// <summary>
/// Secrets generated once and kept in <c>.data/secrets/</c>, one file each (mode 600), so every run of the
/// same data folder gets the same passwords and keys.
/// </summary>
internal sealed class SecretStore(string directory)
{
    private readonly Lock _gate = new();

    public string Directory { get; } = directory;

    public string PathOf(string name) => Path.Combine(Directory, name);

    public string GetOrCreate(string name, Func<string> generate)
    {
        // Resources start in parallel and share secrets: one creates, the others read what it wrote.
        lock (_gate)
        {
            var path = PathOf(name);
            if (File.Exists(path))
            {
                var value = File.ReadAllText(path).Trim();
                if (value.Length == 0)
                {
                    throw new DistributedApplicationException(
                        $"The secret file {path} is empty, so the data folder looks damaged. Restore it, or delete the whole data folder to start afresh.");
                }
                return value;
            }

            System.IO.Directory.CreateDirectory(Directory);
            var generated = generate();
            // Written aside and moved into place, so a crash never leaves an empty secret behind.
            var temporary = path + ".new";
            File.WriteAllText(temporary, generated + "\n");
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary, path);
            return generated;
        }
    }

    /// <summary>A password safe in URLs and connection strings.</summary>
    public static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
