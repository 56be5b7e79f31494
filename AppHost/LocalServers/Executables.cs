namespace AppHost.LocalServers;

internal static class Executables
{
    /// <summary>The full path of <paramref name="program"/> (a path, or a name looked up on the PATH and in /usr/sbin), or null.</summary>
    public static string? Find(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        // Debian puts servers in /usr/sbin, which a non-root PATH may lack.
        return $"{path}:/usr/sbin:/sbin".Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Stops a resource's start with the reason in words when its server is not installed.</summary>
    public static void Require(string program, string debianPackage)
    {
        if (Find(program) is null)
        {
            throw new DistributedApplicationException($"{program} was not found (Debian package {debianPackage}): run ./eng/setup.sh to install it.");
        }
    }
}
