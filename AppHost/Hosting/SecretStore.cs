using System.Buffers.Text;
using System.Security.Cryptography;

namespace AppHost.Hosting;

/// <summary>
/// Secrets generated once and kept under the data folder, one file each (mode 600), so every run of the
/// same data folder gets the same passwords and keys: internal ones in <c>secrets/</c>, the developer's keys at the top.
/// </summary>
internal sealed class SecretStore(string directory)
{
    private readonly Lock _gate = new();

    public string Directory { get; } = directory;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>The secret in <paramref name="file"/> (relative to the data folder, e.g. <c>secrets/redis-password</c>), generated the first time.</summary>
    public string GetOrCreate(string file, Func<string> generate)
    {
        // Resources start in parallel and share secrets: one creates, the others read what it wrote.
        lock (_gate)
        {
            var path = PathOf(file);
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

            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
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

    /// <summary>A tenant API key in the Gateway's format: a recognisable prefix and 256 random bits.</summary>
    public static string NewApiKey() => "sk-aip-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
