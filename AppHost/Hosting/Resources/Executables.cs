namespace AppHost.Hosting.Resources;

internal static class Executables
{
    /// <summary>The full path of <paramref name="program"/> (a path, or a name looked up on the PATH), or null.</summary>
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
}
