namespace AppHost.Hosting.Processes;

/// <summary>A resource's output: every line to its log file, and to the console behind a coloured name prefix.</summary>
internal sealed class ResourceLog : IDisposable
{
    private static readonly ConsoleColor[] Colors =
        [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Yellow, ConsoleColor.Magenta, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen, ConsoleColor.DarkYellow];
    private static readonly Lock ConsoleLock = new();
    private static int s_nextColor;

    private readonly string _prefix;
    private readonly ConsoleColor _color;
    private readonly bool _echo;
    private readonly StreamWriter _file;
    private readonly Queue<string> _tail = new();
    private bool _disposed;

    public ResourceLog(string resourceName, string filePath, bool echo)
    {
        _prefix = resourceName.PadRight(12);
        _color = Colors[Interlocked.Increment(ref s_nextColor) % Colors.Length];
        _echo = echo;
        FilePath = filePath;
        Directory.CreateDirectory(Path.GetDirectoryName(filePath)!);
        _file = new StreamWriter(new FileStream(filePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string FilePath { get; }

    public void Write(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_tail)
        {
            // A process may still print while the app shuts down.
            if (_disposed)
            {
                return;
            }
            _file.WriteLine($"{DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss.fff} {line}");
            _tail.Enqueue(line);
            if (_tail.Count > 20)
            {
                _tail.Dequeue();
            }
        }
        if (_echo)
        {
            lock (ConsoleLock)
            {
                Console.ForegroundColor = _color;
                Console.Write(_prefix);
                Console.Write("| ");
                Console.ResetColor();
                Console.WriteLine(line);
            }
        }
    }

    /// <summary>The last lines, for an error message that explains a failed start.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return _tail.Count == 0 ? "" : Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", _tail);
        }
    }

    public void Dispose()
    {
        lock (_tail)
        {
            _disposed = true;
            _file.Dispose();
        }
    }
}
